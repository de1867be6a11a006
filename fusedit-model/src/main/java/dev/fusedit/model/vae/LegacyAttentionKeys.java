package dev.fusedit.model.vae;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.TensorInfo;
import dev.fusedit.tensor.io.TensorSource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint seen with the old diffusers attention names (…attentions.0.query / key / value /
 * proj_attn) renamed to the current ones (to_q / to_k / to_v / to_out.0), as diffusers converts
 * them on load. Other names pass through unchanged; closing closes the underlying source.
 */
final class LegacyAttentionKeys implements TensorSource {
    private static final String[][] RENAMES = {
            {".attentions.0.query.", ".attentions.0.to_q."},
            {".attentions.0.key.", ".attentions.0.to_k."},
            {".attentions.0.value.", ".attentions.0.to_v."},
            {".attentions.0.proj_attn.", ".attentions.0.to_out.0."}};

    private final TensorSource source;
    /** current name → name in the file */
    private final Map<String, String> toFile = new LinkedHashMap<>();

    LegacyAttentionKeys(TensorSource source) {
        this.source = source;
        for (String name : source.names()) {
            String renamed = name;
            for (String[] r : RENAMES) renamed = renamed.replace(r[0], r[1]);
            if (toFile.putIfAbsent(renamed, name) != null)
                throw new IllegalArgumentException(source.describe() + ": holds both '" + toFile.get(renamed) + "' and '" + name
                        + "', which are the same attention weight under the old and new names");
        }
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(toFile.keySet());
    }

    @Override
    public boolean contains(String name) {
        return toFile.containsKey(name);
    }

    @Override
    public Tensor get(String name) {
        return source.get(toFile.getOrDefault(name, name));
    }

    @Override
    public TensorInfo info(String name) {
        return source.info(toFile.getOrDefault(name, name));
    }

    @Override
    public String describe() {
        return source.describe();
    }

    @Override
    public void close() {
        source.close();
    }
}
