package dev.fusedit.tensor.kernels;

/**
 * A kernel provider's device failed a kernel (it could not compile it, ran out of device memory)
 * and the provider was told not to fall back to the CPU. Not a bug in the caller: the message says
 * which kernel, which device, why, and how to run without the device.
 */
public final class DeviceKernelException extends RuntimeException {
    public DeviceKernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
