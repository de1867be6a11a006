package dev.fusedit.model.vae;

import dev.fusedit.layers.WeightFolder;
import dev.fusedit.layers.StateDict;
import dev.fusedit.tensor.io.TensorSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An AutoencoderKL loaded from a diffusers vae/ folder (config.json +
 * diffusion_pytorch_model.safetensors, sharded or not). Weights stay memory-mapped; close to unmap.
 * The model is frozen (not trainable, evaluation mode): the VAE is never trained here.
 */
public final class VaeCheckpoint implements AutoCloseable {
    private final AutoencoderKL model;
    private final TensorSource weights;

    private VaeCheckpoint(AutoencoderKL model, TensorSource weights) {
        this.model = model;
        this.weights = weights;
    }

    public static VaeCheckpoint open(Path dir) throws IOException {
        return WeightFolder.load(dir, "VAE", LegacyAttentionKeys::new, weights -> {
            AutoencoderKL model = new AutoencoderKL(VaeConfig.read(dir.resolve("config.json")));
            StateDict.load(model, weights, "");
            model.freeze();
            return new VaeCheckpoint(model, weights);
        });
    }

    public AutoencoderKL model() {
        return model;
    }

    public VaeConfig config() {
        return model.config();
    }

    @Override
    public void close() {
        weights.close();
    }
}
