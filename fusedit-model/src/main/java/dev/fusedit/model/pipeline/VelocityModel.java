package dev.fusedit.model.pipeline;

import dev.fusedit.model.fusedit.DeviceVelocities;
import dev.fusedit.model.fusedit.DeviceVelocity;
import dev.fusedit.model.fusedit.DiT;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.model.gemma.GemmaModel;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.kernels.KernelProvider;

/**
 * The model side of the denoising loop: the prompt rows are encoded once, and the result gives
 * the velocity of any latents at any timestep against them. The choice of how the model runs
 * (kernel by kernel, or as a whole on an accelerator) is made once, when the model is made.
 */
@FunctionalInterface
public interface VelocityModel extends AutoCloseable {

    /** Encodes the text rows ids [R, L] (I64) under mask [R][L]; what it keeps lives in the caller's memory scope. */
    Velocity encode(Tensor ids, int[][] mask);

    /** Frees what the model holds beyond its weights (an accelerator's copy); the model is not used afterwards. */
    @Override
    default void close() {}

    /** The velocity [R, C, H, W] of latents [R, C, H, W] at timestep [R], against the encoded text. */
    @FunctionalInterface
    interface Velocity {
        Tensor at(Tensor latents, Tensor timestep);
    }

    /**
     * A FuseDiT, which runs its own frozen text stream. When the active kernels belong to an
     * accelerator that runs the FuseDiT forward as a whole ({@link DeviceVelocities}; the TornadoVM
     * module's per-block task graphs) the DiT stream runs there: weights sent once, the text
     * context once per prompt batch, the latents and the velocity once per step. One line on
     * stderr says so, or why not.
     */
    static VelocityModel of(FuseDiT model) {
        DeviceVelocities.Choice choice = DeviceVelocities.open(model, KernelProvider.current());
        if (choice.logLine() != null) System.err.println(choice.logLine());
        DeviceVelocity device = choice.velocity();
        if (device == null) return (ids, mask) -> {
            TextContext text = model.encodeText(ids, mask);
            return (latents, t) -> model.velocity(latents, t, text);
        };
        return new VelocityModel() {
            @Override
            public Velocity encode(Tensor ids, int[][] mask) {
                TextContext text = model.encodeText(ids, mask);
                return (latents, t) -> device.velocity(latents, t, text);
            }

            @Override
            public void close() {
                device.close();
            }
        };
    }

    /** A shallow DiT reading the final normed hidden states of its Gemma text encoder (text_hidden_states_index −1). */
    static VelocityModel of(DiT model, GemmaModel textEncoder) {
        if (model.config.textHiddenStatesIndex() != -1)
            throw new IllegalArgumentException("only text_hidden_states_index -1 (the final normed hidden states) is supported, got "
                    + model.config.textHiddenStatesIndex());
        if (textEncoder.config.hiddenSize() != model.config.textHiddenSize())
            throw new IllegalArgumentException("the text encoder's hidden size " + textEncoder.config.hiddenSize()
                    + " differs from the DiT's text_hidden_size " + model.config.textHiddenSize());
        return (ids, mask) -> {
            Tensor hidden = textEncoder.forward(ids, mask);
            return (latents, t) -> model.velocity(latents, t, hidden, mask);
        };
    }
}
