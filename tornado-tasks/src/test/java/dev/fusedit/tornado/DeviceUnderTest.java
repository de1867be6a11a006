package dev.fusedit.tornado;

import dev.fusedit.tensor.kernels.ScalarKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The TornadoVM provider the kernel tests compare with the scalar oracle, and their buffers.
 * Tests skip (JUnit assumption) where TornadoVM has no runtime or device; device failures fail
 * the test instead of falling back, so a pass means the device computed the result.
 */
final class DeviceUnderTest {
    private DeviceUnderTest() {}

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** A provider on the default device that throws on device failures; skips the test when there is none. */
    static TornadoKernels open() {
        String problem = TornadoAvailability.problem(System.getProperty(TornadoDevices.DEVICE_PROPERTY));
        assumeTrue(problem == null, () -> "no TornadoVM device: " + problem);
        // The CPU provider is never used under FAIL; the oracle keeps the test independent of it.
        return TornadoKernelsFactory.open(ScalarKernels.F32, DeviceOrCpu.OnDeviceFailure.FAIL, false);
    }

    static MemorySegment zeros(Arena arena, long n) {
        return arena.allocate(Math.max(1, n) * Float.BYTES, 64);
    }

    /** n values uniform in [lo, hi). */
    static MemorySegment uniform(Arena arena, SplittableRandom rnd, long n, double lo, double hi) {
        MemorySegment s = zeros(arena, n);
        for (long i = 0; i < n; i++) s.setAtIndex(FLOAT, i, (float) rnd.nextDouble(lo, hi));
        return s;
    }

    static MemorySegment copy(Arena arena, MemorySegment src) {
        MemorySegment s = arena.allocate(src.byteSize(), 64);
        s.copyFrom(src);
        return s;
    }

    /**
     * Fails unless |actual − expected| ≤ tol·(1 + |expected|) for each of the n elements (NaN fails),
     * naming the first element that differs.
     */
    static void assertClose(String what, MemorySegment actual, MemorySegment expected, long n, double tol) {
        for (long i = 0; i < n; i++) {
            double a = actual.getAtIndex(FLOAT, i), e = expected.getAtIndex(FLOAT, i);
            if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e))))
                throw new AssertionError(what + "[" + i + "] = " + a + ", expected " + e + " (tolerance " + tol + ", " + n + " elements)");
        }
    }
}
