package dev.fusedit.tornado;

/** A kernel failed on the TornadoVM device and the policy says not to fall back to the CPU. */
public final class DeviceKernelException extends RuntimeException {
    DeviceKernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
