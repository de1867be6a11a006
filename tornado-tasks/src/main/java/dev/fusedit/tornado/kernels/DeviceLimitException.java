package dev.fusedit.tornado.kernels;

/** A call the device path cannot take (an array beyond TornadoVM's limits); the CPU kernels take it instead. */
final class DeviceLimitException extends RuntimeException {
    DeviceLimitException(String message) {
        super(message);
    }
}
