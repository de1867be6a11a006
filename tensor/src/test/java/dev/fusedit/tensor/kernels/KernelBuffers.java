package dev.fusedit.tensor.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Float segments for kernel comparison tests: random fills, copies, and an element-wise tolerance
 * check. Public for the other providers' tests (tornado-tasks uses the test jar).
 */
public final class KernelBuffers {
    private KernelBuffers() {}

    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    public static MemorySegment zeros(Arena arena, long n) {
        return arena.allocate(Math.max(1, n) * Float.BYTES, 64);
    }

    /** n values uniform in [lo, hi). */
    public static MemorySegment uniform(Arena arena, SplittableRandom rnd, long n, double lo, double hi) {
        MemorySegment s = zeros(arena, n);
        for (long i = 0; i < n; i++) s.setAtIndex(FLOAT, i, (float) rnd.nextDouble(lo, hi));
        return s;
    }

    public static MemorySegment copy(Arena arena, MemorySegment src) {
        MemorySegment s = arena.allocate(src.byteSize(), 64);
        s.copyFrom(src);
        return s;
    }

    /**
     * Fails unless |actual − expected| ≤ tol·(1 + |expected|) for each of the n elements (NaN fails),
     * naming the first element that differs.
     */
    public static void assertClose(String what, MemorySegment actual, MemorySegment expected, long n, double tol) {
        for (long i = 0; i < n; i++) {
            double a = actual.getAtIndex(FLOAT, i), e = expected.getAtIndex(FLOAT, i);
            if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e))))
                throw new AssertionError(what + "[" + i + "] = " + a + ", expected " + e + " (tolerance " + tol + ", " + n + " elements)");
        }
    }
}
