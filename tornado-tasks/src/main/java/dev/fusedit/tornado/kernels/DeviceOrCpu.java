package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.Settings;
import dev.fusedit.tensor.kernels.DeviceKernelException;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs a kernel on the device and applies the failure policy when the device fails it:
 * {@code FALL_BACK} prints one line naming the kernel and the reason, runs the CPU kernel, and
 * keeps that kernel on the CPU from then on; {@code FAIL} throws {@link DeviceKernelException}.
 * Device runs write the caller's outputs only after the device has finished, so a CPU run after a
 * failure starts from the caller's unchanged inputs: a failure never leaves a half-written result.
 */
final class DeviceOrCpu {

    private final OnDeviceFailure onFailure;
    private final Supplier<String> device;
    private final String cpuName;
    private final Set<String> onCpu = new HashSet<>();

    DeviceOrCpu(OnDeviceFailure onFailure, Supplier<String> device, String cpuName) {
        this.onFailure = onFailure;
        this.device = device;
        this.cpuName = cpuName;
    }

    void run(String kernel, Runnable onDevice, Runnable onCpuInstead) {
        call(kernel, () -> {
            onDevice.run();
            return null;
        }, () -> {
            onCpuInstead.run();
            return null;
        });
    }

    /** {@link #run} for a kernel with a result. */
    synchronized <T> T call(String kernel, Supplier<T> onDevice, Supplier<T> onCpuInstead) {
        if (onCpu.contains(kernel)) return onCpuInstead.get();
        try {
            return onDevice.get();
        } catch (IllegalArgumentException e) {
            throw e; // the caller's arguments are wrong: the CPU would refuse them too
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) throw e;
            // TornadoVM colours its messages: keep the first line, without terminal escapes.
            String first = e.getMessage() == null ? "" : e.getMessage().replaceAll("\u001B\\[[0-9;]*m", "").strip().lines().findFirst().orElse("");
            String message = first.isEmpty() ? "" : ": " + first;
            String reason = e.getClass().getSimpleName() + message;
            if (onFailure == OnDeviceFailure.FAIL)
                throw new DeviceKernelException("TornadoVM kernel '" + kernel + "' failed on " + device.get() + " (" + reason
                        + "); rerun with --backend cpu, or with -D" + Settings.TORNADO_ON_FAILURE + "=fallback to run failing kernels on the CPU", e);
            onCpu.add(kernel);
            System.err.println("fusedit: TornadoVM kernel '" + kernel + "' failed on " + device.get() + " (" + reason
                    + "); it runs on the CPU (" + cpuName + ") from now on");
            return onCpuInstead.get();
        }
    }

    OnDeviceFailure onFailure() {
        return onFailure;
    }

    /** Kernels that failed on the device and run on the CPU from now on. */
    synchronized Set<String> kernelsOnCpu() {
        return Set.copyOf(onCpu);
    }
}
