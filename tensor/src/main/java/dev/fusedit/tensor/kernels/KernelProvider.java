package dev.fusedit.tensor.kernels;

import java.util.ServiceLoader;

/**
 * Which {@link Kernels} the ops call. There is one process-wide default, chosen from
 * {@code -Dfusedit.kernels=vector|scalar|auto|<plugin name>} the first time it is needed
 * (vector by default); {@link #use(Kernels)} overrides it for the current thread within a
 * try-with-resources block, which is how tests compare providers.
 */
public final class KernelProvider {
    private KernelProvider() {}

    public static final String PROPERTY = "fusedit.kernels";

    private static volatile Kernels defaultKernels;
    private static final ThreadLocal<Kernels> OVERRIDE = new ThreadLocal<>();

    /** The kernels the ops call on this thread. */
    public static Kernels current() {
        Kernels k = OVERRIDE.get();
        if (k != null) return k;
        Kernels d = defaultKernels;
        if (d == null) {
            synchronized (KernelProvider.class) {
                if (defaultKernels == null) defaultKernels = select(System.getProperty(PROPERTY, "vector"));
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

    /**
     * The provider for a backend name: "scalar", "vector", a plugin's name, or "auto" (the first
     * available plugin, else vector). A named plugin that cannot run fails with its reason.
     */
    public static Kernels select(String backend) {
        String name = backend.trim().toLowerCase();
        switch (name) {
            case "scalar":
                return ScalarKernels.F32;
            case "vector", "cpu":
                return new VectorKernels(new KernelPool(KernelPool.defaultThreads()));
            default:
                for (KernelsFactory f : ServiceLoader.load(KernelsFactory.class)) {
                    boolean wanted = name.equals("auto") || f.name().equalsIgnoreCase(name);
                    if (!wanted) continue;
                    String why = f.unavailableReason();
                    if (why == null) return f.create(new KernelPool(KernelPool.defaultThreads()));
                    if (!name.equals("auto")) throw new IllegalStateException("backend '" + name + "' cannot run here: " + why);
                }
                if (name.equals("auto")) return new VectorKernels(new KernelPool(KernelPool.defaultThreads()));
                throw new IllegalArgumentException("unknown backend '" + backend + "': expected scalar, vector, cpu, auto or an installed plugin");
        }
    }
}
