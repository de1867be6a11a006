package dev.fusedit.model.fusedit;

import dev.fusedit.tensor.Settings;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.Kernels;

import java.util.ServiceLoader;

/**
 * Finds a whole-model device forward for a FuseDiT when the active kernels belong to an
 * accelerator that offers one ({@link DeviceVelocityFactory}, through ServiceLoader).
 */
public final class DeviceVelocities {
    private DeviceVelocities() {}

    /**
     * What was found: {@code velocity} is null when the model runs kernel by kernel; {@code logLine}
     * says which and why, and is null when no installed provider serves the active kernels (the
     * CPU backends: nothing to say).
     */
    public record Choice(DeviceVelocity velocity, String logLine) {}

    /** A device forward for {@code model} on the current thread's kernels, if one applies. */
    public static Choice open(FuseDiT model) {
        return open(model, KernelProvider.current());
    }

    public static Choice open(FuseDiT model, Kernels active) {
        for (DeviceVelocityFactory f : ServiceLoader.load(DeviceVelocityFactory.class)) {
            if (!f.serves(active)) continue;
            // -Dfusedit.deviceForward=off keeps the kernel-by-kernel path (to compare the two)
            String why = !Settings.get().deviceForward() ? "-D" + Settings.DEVICE_FORWARD + "=off" : f.unsupportedReason(model);
            if (why != null)
                return new Choice(null, "fusedit: FuseDiT runs kernel by kernel on " + active.name() + " (no per-block device forward: " + why + ")");
            DeviceVelocity v = f.open(model, active);
            return new Choice(v, "fusedit: FuseDiT runs as per-block task graphs on " + v.description()
                    + " (weights resident, activations stay on the device)");
        }
        return new Choice(null, null);
    }
}
