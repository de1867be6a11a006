package dev.fusedit.model.fusedit;

import dev.fusedit.layers.WeightFolder;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.Parameter;
import dev.fusedit.layers.StateDict;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.io.TensorSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A FuseDiT or shallow-DiT transformer folder (config.json + safetensors, sharded or not, F32 or
 * BF16) loaded strictly: one error lists every missing, mis-shaped or unexpected key. F32 weights
 * stay memory-mapped; other floating types are converted to F32 copies (the model computes in
 * F32). The APE buffer {@code [dit.]patch_embed.pos_embed}, when present, replaces the computed
 * sin-cos table. Close to unmap.
 */
public final class FuseDiTCheckpoint implements AutoCloseable {
    private final FuseDiTConfig config;
    private final Module model;
    private final TensorSource weights;

    private FuseDiTCheckpoint(FuseDiTConfig config, Module model, TensorSource weights) {
        this.config = config;
        this.model = model;
        this.weights = weights;
    }

    /** Opens with every weight converted to float32 (trainable, and what the parity cases compare). */
    public static FuseDiTCheckpoint open(Path transformerDir) throws IOException {
        return open(transformerDir, false);
    }

    /**
     * Opens a transformer folder. With {@code keepStoredDtype} (inference) the weights stay frozen,
     * zero-copy views of the memory-mapped file in their stored dtype (BF16 checkpoints are then
     * read by the BF16 kernels directly: half the memory); otherwise they are converted to float32.
     */
    public static FuseDiTCheckpoint open(Path transformerDir, boolean keepStoredDtype) throws IOException {
        return WeightFolder.load(transformerDir, "transformer", weights -> {
            FuseDiTConfig config = FuseDiTConfig.read(transformerDir.resolve("config.json"));
            boolean fused = config.modelType() == FuseDiTConfig.ModelType.FUSEDIT;
            Module model = fused ? new FuseDiT(config) : new DiT(config);
            String posKey = (fused ? "dit." : "") + "patch_embed.pos_embed";
            StateDict.load(model, weights, "", key -> key.equals(posKey) && config.posEmbed() == FuseDiTConfig.PosEmbed.APE);
            if (keepStoredDtype) {
                // inference: frozen, so BF16 weights go to the BF16 kernels instead of float32 copies
                model.setTrainable(false);
            } else {
                model.copyParametersToFloat32(false);
            }
            DiT dit = fused ? ((FuseDiT) model).dit : (DiT) model;
            if (weights.contains(posKey)) dit.patchEmbed.setPositionTable(weights.get(posKey));
            return new FuseDiTCheckpoint(config, model, weights);
        });
    }

    public FuseDiTConfig config() {
        return config;
    }

    /** The whole model: a {@link FuseDiT} or a shallow {@link DiT}. */
    public Module model() {
        return model;
    }

    public boolean isFuseDiT() {
        return model instanceof FuseDiT;
    }

    public FuseDiT fuseDiT() {
        if (model instanceof FuseDiT f) return f;
        throw new IllegalStateException("this checkpoint is a shallow DiT (model_type \"DiT\"), not a FuseDiT");
    }

    /** The DiT stream: FuseDiT's {@code dit}, or the shallow DiT itself. */
    public DiT dit() {
        return model instanceof FuseDiT f ? f.dit : (DiT) model;
    }

    public TensorSource weights() {
        return weights;
    }

    @Override
    public void close() {
        weights.close();
    }
}
