package dev.fusedit.tensor.kernels;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.KernelBuffers.FLOAT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static dev.fusedit.tensor.kernels.KernelBuffers.assertClose;
import static dev.fusedit.tensor.kernels.KernelBuffers.copy;
import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;

/**
 * {@link VectorOptimizerKernels} (through {@link VectorKernels}) against the scalar oracle: AdamW,
 * the gradients' sum of squares and rescale (clipping), and the EMA update, at sizes below and
 * above the single-thread threshold, with tails that are not multiples of any vector length.
 */
class OptimizerKernelsTest {

    private static final KernelPool POOL = new KernelPool(2);
    private static final Kernels FAST = new VectorKernels(POOL);
    private static final Kernels ORACLE = ScalarKernels.F32;
    private static final double TOL = 1e-5;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @Test
    void adamwMatchesTheOracle() {
        for (long n : new long[]{1, 33, 40_003})
            for (long step : new long[]{1, 10}) {
                var rnd = new SplittableRandom(n * 31 + step);
                var st = new AdamWStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment p = uniform(arena, rnd, n, -1, 1), g = uniform(arena, rnd, n, -1, 1);
                    MemorySegment m = uniform(arena, rnd, n, -0.1, 0.1), v = uniform(arena, rnd, n, 0, 0.01);
                    MemorySegment refP = copy(arena, p), refM = copy(arena, m), refV = copy(arena, v);
                    FAST.adamw(n, st, p, g, m, v);
                    ORACLE.adamw(n, st, refP, g, refM, refV);
                    String where = "adamw n=" + n + " step " + step + ": ";
                    assertClose(where + "param", p, refP, n, TOL);
                    assertClose(where + "m", m, refM, n, TOL);
                    assertClose(where + "v", v, refV, n, TOL);
                }
            }
    }


    @Test
    void sumOfSquaresMatchesTheOracleAndIgnoresTheThreadCount() {
        for (long n : new long[]{1, 17, 4096, 4097, 40_003, 300_001}) {
            var rnd = new SplittableRandom(n);
            try (Arena arena = Arena.ofShared(); KernelPool one = new KernelPool(1)) {
                MemorySegment g = uniform(arena, rnd, n, -1, 1);
                double fast = FAST.sumOfSquares(n, g), ref = ORACLE.sumOfSquares(n, g);
                assertThat(fast).as("sumOfSquares n=%d", n).isCloseTo(ref, within(1e-5 * ref));
                assertThat(new VectorKernels(one).sumOfSquares(n, g)).as("one thread, n=%d", n).isEqualTo(fast);
            }
        }
    }

    @Test
    void scaleMatchesTheOracleExactly() {
        for (long n : new long[]{1, 33, 40_003}) {
            var rnd = new SplittableRandom(n + 7);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment x = uniform(arena, rnd, n, -3, 3), ref = copy(arena, x);
                FAST.scale(n, 0.37f, x);
                ORACLE.scale(n, 0.37f, ref);
                assertClose("scale n=" + n, x, ref, n, 0);
            }
        }
    }

    @Test
    void emaUpdateMatchesTheOracle() {
        for (long n : new long[]{1, 33, 40_003})
            for (float decay : new float[]{0.999f, 0.5f}) {
                var rnd = new SplittableRandom(n * 3 + 1);
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment ema = uniform(arena, rnd, n, -1, 1), p = uniform(arena, rnd, n, -1, 1), ref = copy(arena, ema);
                    FAST.emaUpdate(n, decay, ema, p);
                    ORACLE.emaUpdate(n, decay, ref, p);
                    assertClose("ema n=" + n + " decay " + decay, ema, ref, n, TOL);
                }
            }
    }

    @Test
    void optimizerSegmentsTooSmallAreRejected() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment small = zeros(arena, 10), big = zeros(arena, 100);
            assertThatThrownBy(() -> FAST.sumOfSquares(11, small)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sumOfSquares x");
            assertThatThrownBy(() -> FAST.emaUpdate(11, 0.9f, big, small)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ema param");
        }
    }
}
