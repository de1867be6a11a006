package dev.fusedit.tornado;

import dev.fusedit.tensor.kernels.ScalarKernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The base of the kernel tests: one TornadoVM provider per test class, on the default device
 * (or -Dfusedit.tornado.device), compared with the scalar oracle. Tests skip (JUnit assumption)
 * where TornadoVM has no runtime or device; device failures fail the test instead of falling back,
 * so a pass means the device computed the result.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeviceUnderTest {
    TornadoKernels device;

    @BeforeAll
    void open() {
        String problem = TornadoAvailability.problem(System.getProperty(TornadoDevices.DEVICE_PROPERTY));
        assumeTrue(problem == null, () -> "no TornadoVM device: " + problem);
        // The CPU provider is never used under FAIL.
        device = TornadoKernelsFactory.open(ScalarKernels.F32, DeviceOrCpu.OnDeviceFailure.FAIL, false);
    }

    @AfterAll
    void close() {
        if (device != null) device.close();
    }
}
