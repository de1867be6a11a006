package dev.fusedit.layers;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.SafeTensorsWriter;
import dev.fusedit.tensor.io.TensorInfo;
import dev.fusedit.tensor.io.TensorSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Loading and saving a module's parameters by their state-dict keys. */
public final class StateDict {
    private StateDict() {}

    /**
     * Binds every parameter of {@code module} to the checkpoint tensor called prefix + name, as a
     * zero-copy view of the mapped file. Fails with one message listing every missing key,
     * every mis-shaped key, and every checkpoint key under {@code prefix} that the module does
     * not have (unless {@code ignoreUnexpected} accepts it).
     */
    public static void load(Module module, TensorSource source, String prefix, Predicate<String> ignoreUnexpected) throws IOException {
        Map<String, Parameter> params = module.namedParameters();
        List<String> missing = new ArrayList<>(), misShaped = new ArrayList<>(), unexpected = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String key = prefix + e.getKey();
            if (!source.contains(key)) {
                missing.add(key);
                continue;
            }
            TensorInfo info = source.info(key);
            if (!Arrays.equals(info.shape(), e.getValue().shape()))
                misShaped.add(key + " " + Arrays.toString(info.shape()) + " (expected " + Arrays.toString(e.getValue().shape()) + ")");
            else if (!info.dtype().isFloating())
                misShaped.add(key + " has dtype " + info.dtype() + " (expected a floating-point type)");
        }
        for (String key : source.names()) {
            if (!key.startsWith(prefix)) continue;
            if (!params.containsKey(key.substring(prefix.length())) && !ignoreUnexpected.test(key)) unexpected.add(key);
        }
        if (!missing.isEmpty() || !misShaped.isEmpty() || !unexpected.isEmpty()) {
            StringBuilder msg = new StringBuilder(source.describe()).append(": checkpoint does not match the model");
            if (!missing.isEmpty()) msg.append("\n  missing keys: ").append(String.join(", ", missing));
            if (!misShaped.isEmpty()) msg.append("\n  wrong shapes: ").append(String.join(", ", misShaped));
            if (!unexpected.isEmpty()) msg.append("\n  unexpected keys: ").append(String.join(", ", unexpected));
            throw new IOException(msg.toString());
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) e.getValue().set(source.get(prefix + e.getKey()));
    }

    public static void load(Module module, TensorSource source, String prefix) throws IOException {
        load(module, source, prefix, key -> false);
    }

    /** The module's tensors by key (prefix + name), in declaration order. */
    public static Map<String, Tensor> tensors(Module module, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> out.put(prefix + name, p.get()));
        return out;
    }

    /** Writes the module's parameters as one safetensors file (atomically). */
    public static void save(Module module, String prefix, Path file) throws IOException {
        SafeTensorsWriter.write(file, tensors(module, prefix), Map.of("format", "pt"));
    }
}
