package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.KernelsFactory;
import dev.fusedit.tensor.kernels.VectorKernels;
import dev.fusedit.tornado.TornadoAvailability;
import dev.fusedit.tornado.TornadoDevices;

/**
 * Registers the TornadoVM provider as backend "tornado" (META-INF/services). Settings
 * ({@link dev.fusedit.tensor.Settings}), used when the provider is created: {@code -Dfusedit.tornado.device=BACKEND:DEVICE} (default: TornadoVM's
 * default device) and {@code -Dfusedit.tornado.onFailure=fallback|fail} (default fallback: a
 * kernel the device fails runs on the Vector API kernels from then on, with one line saying so).
 */
public final class TornadoKernelsFactory implements KernelsFactory {

    @Override
    public String name() {
        return "tornado";
    }

    @Override
    public String unavailableReason() {
        return TornadoAvailability.problem();
    }

    /** The provider on the selected device; {@code pool} runs the Vector API kernels it falls back to and the host-side loops. */
    @Override
    public Kernels create(KernelPool pool) {
        return open(new VectorKernels(pool), OnDeviceFailure.fromSettings(), false);
    }

    /**
     * A provider on the selected device; {@code cpu} runs what the device fails (FALL_BACK) and
     * lends its pool ({@link Kernels#cpuPool()}); {@code profile} records each call's device
     * kernel time (TornadoVM's profiler, for benchmarks).
     */
    public static TornadoKernels open(Kernels cpu, OnDeviceFailure onFailure, boolean profile) {
        String problem = TornadoAvailability.problem();
        if (problem != null) throw new IllegalStateException("TornadoVM cannot run here: " + problem);
        return new TornadoKernels(TornadoDevices.selected(), cpu, onFailure, profile);
    }
}
