package dev.fusedit.model.fusedit;

import dev.fusedit.tensor.Tensor;

/**
 * FuseDiT's DiT-stream forward run as a whole on an accelerator, for sampling (no gradients):
 * the same function as {@link FuseDiT#velocity(Tensor, Tensor, TextContext)}, but the weights
 * live on the device and the activations stay there from the patch embedding to proj_out. A
 * provider (e.g. the TornadoVM module) supplies it through {@link DeviceVelocityFactory}; this
 * module never names one.
 *
 * <p>What crosses to the device: the weights once, a text context once when it is first seen
 * (its keys, values, mask and RoPE tables), and per call only the latents; the velocity comes
 * back. The weights are read when the device copy is made: a model whose weights change later
 * (training) needs a new one. Not thread-safe: one call at a time.
 */
public interface DeviceVelocity extends AutoCloseable {

    /** The velocity for latents [B, C, H, W] against {@code text} (encoded by the same model); timestep [B] as the CPU forward takes it. */
    Tensor velocity(Tensor latents, Tensor timestep, TextContext text);

    /** Where it runs, for log lines. */
    String description();

    @Override
    void close();
}
