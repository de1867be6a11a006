package dev.fusedit.tensor.kernels;

import dev.fusedit.tensor.Settings;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Which {@link Kernels} the ops call. There is one process-wide default, chosen the first time it
 * is needed from {@link Settings#backend()} ({@code -Dfusedit.backend=cpu|tornado|auto}, or its older
 * spelling {@code -Dfusedit.kernels=vector|scalar|auto|<plugin name>}; cpu = vector, the default), or set by
 * {@link #useBackend(String)}; {@link #use(Kernels)} overrides it for the current thread within a
 * try-with-resources block, which is how tests compare providers.
 */
public final class KernelProvider {
    private KernelProvider() {}

    private static volatile Kernels defaultKernels;
    private static final ThreadLocal<Kernels> OVERRIDE = new ThreadLocal<>();

    /** The kernels the ops call on this thread. */
    public static Kernels current() {
        Kernels k = OVERRIDE.get();
        if (k != null) return k;
        Kernels d = defaultKernels;
        if (d == null) {
            synchronized (KernelProvider.class) {
                if (defaultKernels == null) {
                    String backend = Settings.get().backend();
                    Choice choice = choose(backend);
                    if (backend.trim().equalsIgnoreCase("auto")) System.err.println(choice.logLine());
                    defaultKernels = choice.kernels();
                }
                d = defaultKernels;
            }
        }
        return d;
    }

    /** Replaces the process-wide default (the CLI's --backend does this once at start-up). */
    public static synchronized void setDefault(Kernels kernels) {
        defaultKernels = kernels;
    }

    /** Uses {@code kernels} on this thread until the returned handle is closed. */
    public static Scope use(Kernels kernels) {
        Kernels previous = OVERRIDE.get();
        OVERRIDE.set(kernels);
        return () -> OVERRIDE.set(previous);
    }

    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** A provider and why it was chosen. */
    public record Choice(String requested, Kernels kernels, String reason) {
        /** The one line the CLI and {@code -Dfusedit.backend=auto} print. */
        public String logLine() {
            return "fusedit: backend " + requested + " -> " + kernels.name() + " (" + reason + ")";
        }
    }

    /**
     * Makes {@code backend} (cpu, tornado, auto, scalar, or an installed plugin's name) the
     * process-wide default, as the CLI's --backend does, and returns what was chosen and why.
     */
    public static Choice useBackend(String backend) {
        Choice choice = choose(backend);
        setDefault(choice.kernels());
        return choice;
    }

    /** The provider for a backend name; see {@link #choose(String)}. */
    public static Kernels select(String backend) {
        return choose(backend).kernels();
    }

    /**
     * The provider for a backend name: "scalar", "vector" or "cpu", a plugin's name ("tornado"), or
     * "auto": the first installed plugin that can run here, else the vector kernels. A named
     * plugin that cannot run fails with its reason; auto says in its reason why it chose as it did.
     */
    public static Choice choose(String backend) {
        String name = backend.trim().toLowerCase(Locale.ROOT);
        switch (name) {
            case "scalar":
                return new Choice(name, ScalarKernels.F32, "requested");
            case "vector", "cpu":
                return new Choice(name, cpu(), "requested");
            default:
                boolean auto = name.equals("auto");
                StringBuilder skipped = new StringBuilder();
                for (KernelsFactory f : ServiceLoader.load(KernelsFactory.class)) {
                    if (!auto && !f.name().equalsIgnoreCase(name)) continue;
                    String why = f.unavailableReason();
                    if (why == null) {
                        try {
                            return new Choice(name, f.create(new KernelPool(KernelPool.defaultThreads())), f.name() + " runtime and device present");
                        } catch (RuntimeException e) {
                            why = "it failed to start: " + e.getMessage();
                        }
                    }
                    if (!auto) throw new IllegalStateException("backend '" + name + "' cannot run here: " + why);
                    skipped.append(skipped.isEmpty() ? "" : "; ").append(f.name()).append(" unavailable: ").append(why);
                }
                if (auto) {
                    String reason = skipped.isEmpty() ? "no GPU provider in this build (tornado-tasks is built with mvn -Ptornado)" : skipped.toString();
                    return new Choice(name, cpu(), reason);
                }
                throw new IllegalArgumentException("unknown backend '" + backend + "': expected cpu, tornado, auto, vector, scalar or an installed plugin"
                        + (name.equals("tornado") ? " (this build has no TornadoVM provider: build with mvn -Ptornado and TORNADO_SDK set)" : ""));
        }
    }

    private static Kernels cpu() {
        return new VectorKernels(new KernelPool(KernelPool.defaultThreads()));
    }
}
