package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.AdamWStep;
import dev.fusedit.tornado.DeviceUnderTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Device AdamW, sum of squares, scale and EMA update ({@link OptimizerKernels}) against the scalar
 * oracle, on lengths below, at and above one work-group of {@link OptimizerKernels#GROUP}, odd
 * ones and random odd ones (tails that are multiples of nothing).
 */
class TornadoOptimizerKernelsTest extends DeviceUnderTest {
    /** 1, one short of a group, one over, odd lengths spanning many groups, and two random odd lengths. */
    private static long[] lengths(long seed) {
        var rnd = new SplittableRandom(seed);
        return LongStream.concat(LongStream.of(1, OptimizerKernels.GROUP - 1, OptimizerKernels.GROUP + 1, 1001, 40_003),
                LongStream.generate(() -> 1 + 2L * rnd.nextInt(2_500)).limit(2)).toArray();
    }

    @Test
    void adamwUpdatesParametersAndMomentsInPlace() {
        var rnd = new SplittableRandom(5);
        for (long n : new long[] {1, 517}) {
            var step = new AdamWStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 7);
            try (Arena arena = Arena.ofConfined()) {
                // param, grad, m, v
                assertMatchesOracle(arena, "adamw n=" + n, 1e-6, (k, o) -> k.adamw(n, step, o[0], o[1], o[2], o[3]),
                        uniform(arena, rnd, n, -1, 1), uniform(arena, rnd, n, -1, 1), uniform(arena, rnd, n, -0.1, 0.1), uniform(arena, rnd, n, 0, 0.01));
            }
        }
    }

    @Test
    void sumOfSquaresMatchesTheOracleAndRepeatsExactly() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(device.sumOfSquares(0, zeros(arena, 1))).isZero();
        }
        for (long n : lengths(6)) {
            var rnd = new SplittableRandom(n);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment x = uniform(arena, rnd, n, -3, 3);
                double got = device.sumOfSquares(n, x), want = ORACLE.sumOfSquares(n, x);
                assertThat(got).as("sumOfSquares n=%d", n).isCloseTo(want, within(1e-6 * want));
                // per-group partial sums added in order on the host: the same value every time
                assertThat(device.sumOfSquares(n, x)).as("again, n=%d", n).isEqualTo(got);
            }
        }
    }

    @Test
    void scaleMatchesTheOracleExactly() {
        for (long n : lengths(7)) {
            var rnd = new SplittableRandom(n + 7);
            try (Arena arena = Arena.ofConfined()) {
                assertMatchesOracle(arena, "scale n=" + n, 0, (k, o) -> k.scale(n, 0.37f, o[0]), uniform(arena, rnd, n, -3, 3));
            }
        }
    }

    @Test
    void emaUpdateMatchesTheOracle() {
        for (long n : lengths(8))
            for (float decay : new float[] {0.999f, 0.5f}) {
                var rnd = new SplittableRandom(n * 3 + 1);
                try (Arena arena = Arena.ofConfined()) {
                    assertMatchesOracle(arena, "ema n=" + n + " decay " + decay, 1e-6, (k, o) -> k.emaUpdate(n, decay, o[0], o[1]),
                            uniform(arena, rnd, n, -1, 1), uniform(arena, rnd, n, -1, 1));
                }
            }
    }

    @Test
    void segmentsTooSmallAreRejectedBeforeTheDevice() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = zeros(arena, 10), big = zeros(arena, 100);
            assertThatThrownBy(() -> device.sumOfSquares(11, small)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sumOfSquares x");
            assertThatThrownBy(() -> device.scale(11, 2f, small)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale x");
            assertThatThrownBy(() -> device.emaUpdate(11, 0.9f, big, small)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ema param");
        }
        assertThat(device.kernelsOnCpu()).isEmpty();
    }
}
