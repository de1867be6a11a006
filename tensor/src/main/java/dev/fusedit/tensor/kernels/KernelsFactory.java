package dev.fusedit.tensor.kernels;

/**
 * A kernel provider found at run time through {@link java.util.ServiceLoader} (the TornadoVM
 * provider lives in its own module and registers one of these).
 */
public interface KernelsFactory {
    /** The backend name users choose it by, e.g. "tornado". */
    String name();

    /** Null when the provider can run here; otherwise why not (no runtime, no device, ...). */
    String unavailableReason();

    Kernels create(KernelPool pool);
}
