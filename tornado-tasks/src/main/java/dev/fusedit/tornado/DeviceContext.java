package dev.fusedit.tornado;

import uk.ac.manchester.tornado.api.common.TornadoDevice;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What every plan of one {@link TornadoKernels} shares: the device, and, when profiling (the GPU
 * benchmark), the device time of the kernels of the last execution.
 */
record DeviceContext(TornadoDevice device, boolean profile, AtomicLong lastKernelNanos) {
    DeviceContext(TornadoDevice device, boolean profile) {
        this(device, profile, new AtomicLong(-1));
    }
}
