package dev.fusedit.tornado;

import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.KernelsFactory;
import dev.fusedit.tensor.kernels.VectorKernels;

import java.util.Locale;

/**
 * Registers the TornadoVM provider as backend "tornado" (META-INF/services). Settings, read when
 * the provider is created: {@code -Dfusedit.tornado.device=BACKEND:DEVICE} (default: TornadoVM's
 * default device) and {@code -Dfusedit.tornado.onFailure=fallback|fail} (default fallback: a
 * kernel the device fails runs on the Vector API kernels from then on, with one line saying so).
 */
public final class TornadoKernelsFactory implements KernelsFactory {
    static final String ON_FAILURE_PROPERTY = "fusedit.tornado.onFailure";

    @Override
    public String name() {
        return "tornado";
    }

    @Override
    public String unavailableReason() {
        return TornadoAvailability.problem(System.getProperty(TornadoDevices.DEVICE_PROPERTY));
    }

    @Override
    public Kernels create(KernelPool pool) {
        return open(new VectorKernels(pool), onFailure(), false);
    }

    /**
     * A provider on the selected device; {@code cpu} runs what the device fails (FALL_BACK);
     * {@code profile} records each call's device kernel time (TornadoVM's profiler, for benchmarks).
     */
    static TornadoKernels open(Kernels cpu, DeviceOrCpu.OnDeviceFailure onFailure, boolean profile) {
        String deviceSpec = System.getProperty(TornadoDevices.DEVICE_PROPERTY);
        String problem = TornadoAvailability.problem(deviceSpec);
        if (problem != null) throw new IllegalStateException("TornadoVM cannot run here: " + problem);
        return new TornadoKernels(TornadoDevices.select(deviceSpec), cpu, onFailure, profile);
    }

    private static DeviceOrCpu.OnDeviceFailure onFailure() {
        String value = System.getProperty(ON_FAILURE_PROPERTY, "fallback").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "fallback" -> DeviceOrCpu.OnDeviceFailure.FALL_BACK;
            case "fail" -> DeviceOrCpu.OnDeviceFailure.FAIL;
            default -> throw new IllegalArgumentException("-D" + ON_FAILURE_PROPERTY + "=" + value + ": expected fallback or fail");
        };
    }
}
