package dev.fusedit.model.fusedit;

import dev.fusedit.tensor.kernels.Kernels;

/**
 * Service-provider seam (META-INF/services) for {@link DeviceVelocity}: an accelerator module
 * registers one, and {@link DeviceVelocities} asks it when sampling runs on that module's
 * kernels. Model code never depends on the provider.
 */
public interface DeviceVelocityFactory {

    /** Whether {@code active} (the kernels the ops run on) is this provider's backend. */
    boolean serves(Kernels active);

    /** Null when {@code model} can run as a whole on the device; otherwise why not, in words for a log line. */
    String unsupportedReason(FuseDiT model);

    /** A device forward for {@code model} on the device of {@code active}; the caller closes it. */
    DeviceVelocity open(FuseDiT model, Kernels active);
}
