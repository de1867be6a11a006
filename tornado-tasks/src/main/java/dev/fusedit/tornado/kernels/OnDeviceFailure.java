package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.Settings;

/**
 * What a device failure does ({@code -Dfusedit.tornado.onFailure}): {@link #FALL_BACK} (the
 * default) prints one line and runs the failed kernel on the CPU kernels from then on;
 * {@link #FAIL} throws {@link dev.fusedit.tensor.kernels.DeviceKernelException}.
 */
public enum OnDeviceFailure {
    FALL_BACK, FAIL;

    /** The choice of this JVM's settings ({@link Settings#tornadoOnFailure()}, checked there; default fallback). */
    static OnDeviceFailure fromSettings() {
        return Settings.get().tornadoOnFailure().equals("fail") ? FAIL : FALL_BACK;
    }
}
