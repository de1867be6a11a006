package dev.fusedit.model.gemma;

import dev.fusedit.layers.WeightFolder;
import dev.fusedit.layers.StateDict;
import dev.fusedit.tensor.io.TensorSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Gemma model loaded from an HF folder (config.json + safetensors, sharded or not, F32 or
 * BF16). Weights stay memory-mapped: nothing is copied onto the heap. Close it to unmap.
 */
public final class GemmaCheckpoint implements AutoCloseable {
    private final GemmaModel model;
    private final TensorSource weights;

    private GemmaCheckpoint(GemmaModel model, TensorSource weights) {
        this.model = model;
        this.weights = weights;
    }

    public static GemmaCheckpoint open(Path dir) throws IOException {
        return WeightFolder.load(dir, "model", weights -> {
            GemmaModel model = new GemmaModel(GemmaConfig.read(dir.resolve("config.json")));
            // *ForCausalLM checkpoints name the stack "model."; a bare GemmaModel has no prefix.
            String prefix = weights.contains("model.embed_tokens.weight") ? "model." : "";
            StateDict.load(model, weights, prefix, key -> key.equals("lm_head.weight"));
            model.freeze();
            return new GemmaCheckpoint(model, weights);
        });
    }

    public GemmaModel model() {
        return model;
    }

    public TensorSource weights() {
        return weights;
    }

    @Override
    public void close() {
        weights.close();
    }
}
