package dev.fusedit.tornado;

import uk.ac.manchester.tornado.api.common.TornadoDevice;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What every plan of one {@link dev.fusedit.tornado.kernels.TornadoKernels} shares (the per-block
 * FuseDiT plan included): the device, and, when profiling (the benchmarks), the device time of the
 * kernels of the last execution and the bytes all plans have moved so far (TornadoVM's profiler
 * counts, headers and kernel argument frames included).
 */
public record DeviceContext(TornadoDevice device, boolean profile, AtomicLong lastKernelNanos, AtomicLong bytesToDevice, AtomicLong bytesToHost) {
    public DeviceContext(TornadoDevice device, boolean profile) {
        this(device, profile, new AtomicLong(-1), new AtomicLong(), new AtomicLong());
    }
}
