package dev.fusedit.tornado;

import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.ScalarKernels;
import dev.fusedit.tornado.kernels.OnDeviceFailure;
import dev.fusedit.tornado.kernels.TornadoKernels;
import dev.fusedit.tornado.kernels.TornadoKernelsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.fusedit.tensor.kernels.KernelBuffers.assertClose;
import static dev.fusedit.tensor.kernels.KernelBuffers.copy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The base of the device tests (kernels and the whole-model plan): one TornadoVM provider per
 * test class, on the default device (or -Dfusedit.tornado.device), compared with the scalar
 * oracle. Tests skip (JUnit assumption) where TornadoVM has no runtime or device; device failures
 * fail the test instead of falling back, so a pass means the device computed the result.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DeviceUnderTest {
    protected static final Kernels ORACLE = ScalarKernels.F32;
    protected TornadoKernels device;

    @BeforeAll
    protected void open() {
        String problem = TornadoAvailability.problem();
        assumeTrue(problem == null, () -> "no TornadoVM device: " + problem);
        // The CPU provider is never used under FAIL.
        device = TornadoKernelsFactory.open(ScalarKernels.F32, OnDeviceFailure.FAIL, false);
    }

    @AfterAll
    protected void close() {
        if (device != null) device.close();
    }

    /** One kernel call on a provider, over the operands it is given. */
    @FunctionalInterface
    protected interface KernelCall {
        void run(Kernels kernels, MemorySegment[] operands);
    }

    /**
     * Runs {@code call} on the device and on the scalar oracle, each on its own copy of
     * {@code operands} (allocated in {@code arena}; null stays null), and checks that every operand
     * ends within {@code tolerance} of the oracle's: outputs and in-place operands, and inputs,
     * which must come back unchanged. Returns the oracle's operands (a forward pass's saved values
     * for the backward pass).
     */
    protected MemorySegment[] assertMatchesOracle(Arena arena, String what, double tolerance, KernelCall call, MemorySegment... operands) {
        MemorySegment[] onDevice = new MemorySegment[operands.length], onOracle = new MemorySegment[operands.length];
        for (int i = 0; i < operands.length; i++) {
            onDevice[i] = operands[i] == null ? null : copy(arena, operands[i]);
            onOracle[i] = operands[i] == null ? null : copy(arena, operands[i]);
        }
        call.run(device, onDevice);
        call.run(ORACLE, onOracle);
        for (int i = 0; i < operands.length; i++)
            if (operands[i] != null) assertClose(what + ", operand " + i, onDevice[i], onOracle[i], operands[i].byteSize() / Float.BYTES, tolerance);
        return onOracle;
    }
}
