package dev.fusedit.tensor;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * Every {@code -Dfusedit.*} JVM property the project reads, read once (the first time any of them
 * is needed) and checked, so a misspelt value fails with its name instead of being ignored. The
 * root README lists them; code reads them here, never through {@link System#getProperty}.
 *
 * @param backend          {@value #BACKEND}: cpu (the Vector API kernels, the default), tornado, auto,
 *                         scalar, or an installed plugin's name; the older {@value #KERNELS}
 *                         (vector|scalar|auto|name) is read when it is not set
 * @param threads          {@value #THREADS}: kernel pool threads; 0 = one per core (the default)
 * @param vectorBits       {@value #VECTOR_BITS}: force the Vector API width, 512|256|128|scalar;
 *                         null = the CPU's widest
 * @param deviceForward    {@value #DEVICE_FORWARD}: on (the default) runs a FuseDiT's sampling as one
 *                         device plan where the backend offers it; off keeps it kernel by kernel
 * @param tornadoDevice    {@value #TORNADO_DEVICE}: the TornadoVM device as {@code tornado --devices}
 *                         numbers it (B:D); null = TornadoVM's default device
 * @param tornadoOnFailure {@value #TORNADO_ON_FAILURE}: fallback (the default: a kernel the device
 *                         fails runs on the CPU from then on) or fail
 * @param home             {@value #HOME}: the project folder (set by the launcher), where the bundled
 *                         model and benchmark files are found; null when not set
 */
public record Settings(String backend, int threads, String vectorBits, boolean deviceForward, String tornadoDevice,
                       String tornadoOnFailure, Path home) {

    public static final String BACKEND = "fusedit.backend";
    public static final String KERNELS = "fusedit.kernels";
    public static final String THREADS = "fusedit.threads";
    public static final String VECTOR_BITS = "fusedit.vector.bits";
    public static final String DEVICE_FORWARD = "fusedit.deviceForward";
    public static final String TORNADO_DEVICE = "fusedit.tornado.device";
    public static final String TORNADO_ON_FAILURE = "fusedit.tornado.onFailure";
    public static final String HOME = "fusedit.home";

    /** The settings of this JVM, read from the system properties on first use. */
    public static Settings get() {
        return FromSystemProperties.SETTINGS;
    }

    private static final class FromSystemProperties {
        static final Settings SETTINGS = read(System.getProperties());
    }

    /** Reads and checks the settings in {@code p}; a bad value fails naming its property and what is expected. */
    public static Settings read(Properties p) {
        String backend = trimmed(p, BACKEND);
        if (backend == null) backend = trimmed(p, KERNELS);
        int threads = 0;
        String t = trimmed(p, THREADS);
        if (t != null) {
            try {
                threads = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                threads = -1;
            }
            if (threads < 1) throw bad(THREADS, t, "a positive number of threads");
        }
        String bits = lower(p, VECTOR_BITS);
        if ("0".equals(bits)) bits = "scalar";
        if (bits != null && !bits.equals("512") && !bits.equals("256") && !bits.equals("128") && !bits.equals("scalar"))
            throw bad(VECTOR_BITS, bits, "512, 256, 128 or scalar");
        String forward = lower(p, DEVICE_FORWARD);
        if (forward != null && !forward.equals("on") && !forward.equals("off")) throw bad(DEVICE_FORWARD, forward, "on or off");
        String onFailure = lower(p, TORNADO_ON_FAILURE);
        if (onFailure == null) onFailure = "fallback";
        if (!onFailure.equals("fallback") && !onFailure.equals("fail")) throw bad(TORNADO_ON_FAILURE, onFailure, "fallback or fail");
        String home = trimmed(p, HOME);
        return new Settings(backend == null ? "cpu" : backend, threads, bits, !"off".equals(forward), trimmed(p, TORNADO_DEVICE),
                onFailure, home == null ? null : Path.of(home));
    }

    /** The project folder files of the checkout (models, benchmarks) are resolved against: {@link #home()}, else the working directory. */
    public Path homeOrWorkingDirectory() {
        return home == null ? Path.of("") : home;
    }

    private static String trimmed(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static String lower(Properties p, String key) {
        String v = trimmed(p, key);
        return v == null ? null : v.toLowerCase(Locale.ROOT);
    }

    private static IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException("-D" + key + "=" + value + ": expected " + expected);
    }
}
