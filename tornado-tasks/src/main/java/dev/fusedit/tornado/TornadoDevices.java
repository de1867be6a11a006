package dev.fusedit.tornado;

import dev.fusedit.tensor.Settings;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Picks the TornadoVM device: TornadoVM's default device, or the one named by
 * {@code -Dfusedit.tornado.device=BACKEND:DEVICE} (indices as `tornado --devices` lists them).
 */
public final class TornadoDevices {
    private TornadoDevices() {}

    /** The device of this JVM's settings ({@link Settings#tornadoDevice()}), or TornadoVM's default device. */
    public static TornadoDevice selected() {
        return select(Settings.get().tornadoDevice());
    }

    static String problem(String spec) {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        int devices = 0;
        for (int b = 0; b < runtime.getNumBackends(); b++) devices += runtime.getBackend(b).getNumDevices();
        if (devices == 0) return "TornadoVM found no device (" + runtime.getNumBackends() + " backends; is an OpenCL ICD or the CUDA driver installed?)";
        try {
            select(spec);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    static TornadoDevice select(String spec) {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        if (spec == null || spec.isBlank()) return runtime.getDefaultDevice();
        String[] parts = spec.trim().split(":");
        try {
            if (parts.length != 2) throw new NumberFormatException();
            int b = Integer.parseInt(parts[0]), d = Integer.parseInt(parts[1]);
            if (b < 0 || b >= runtime.getNumBackends())
                throw new IllegalArgumentException("-D" + Settings.TORNADO_DEVICE + "=" + spec + ": there is no backend " + b + " (TornadoVM has " + runtime.getNumBackends() + ")");
            TornadoBackend backend = runtime.getBackend(b);
            if (d < 0 || d >= backend.getNumDevices())
                throw new IllegalArgumentException("-D" + Settings.TORNADO_DEVICE + "=" + spec + ": backend " + b + " has no device " + d + " (it has " + backend.getNumDevices() + ")");
            return backend.getDevice(d);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + Settings.TORNADO_DEVICE + "=" + spec + ": expected BACKEND:DEVICE, e.g. 0:0 (see `tornado --devices`)");
        }
    }
}
