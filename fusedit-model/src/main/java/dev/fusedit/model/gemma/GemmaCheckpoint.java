package dev.fusedit.model.gemma;

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
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a model folder");
        GemmaConfig config = GemmaConfig.read(dir.resolve("config.json"));
        TensorSource weights = TensorSource.open(dir);
        try {
            // *ForCausalLM checkpoints name the stack "model."; a bare GemmaModel has no prefix.
            String prefix = weights.contains("model.embed_tokens.weight") ? "model." : "";
            GemmaModel model = new GemmaModel(config);
            StateDict.load(model, weights, prefix, key -> key.equals("lm_head.weight"));
            model.setTrainable(false);
            model.train(false);
            return new GemmaCheckpoint(model, weights);
        } catch (IOException | RuntimeException e) {
            weights.close();
            throw e;
        }
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
