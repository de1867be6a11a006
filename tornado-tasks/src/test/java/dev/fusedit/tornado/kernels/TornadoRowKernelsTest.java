package dev.fusedit.tornado.kernels;

import dev.fusedit.tornado.DeviceUnderTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;

/**
 * Device RMSNorm and softmax ({@link RowKernels}), forward and backward (from the oracle's saved
 * values), against the scalar oracle, on odd sizes.
 */
class TornadoRowKernelsTest extends DeviceUnderTest {
    private static final double TOL = 2e-5;

    @Test
    void rmsNormWithAndWithoutWeightAndItsGradients() {
        var rnd = new SplittableRandom(2);
        int[][] shapes = {{1, 1}, {19, 130}};
        for (int[] rc : shapes) {
            for (boolean weighted : new boolean[] {false, true}) {
                int rows = rc[0], dim = rc[1];
                long n = (long) rows * dim;
                float offset = weighted ? 1.0f : 0.0f;
                String where = rows + "x" + dim + (weighted ? " weighted" : "");
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment x = uniform(arena, rnd, n, -2, 2), w = weighted ? uniform(arena, rnd, dim, -1, 1) : null;
                    MemorySegment[] forward = assertMatchesOracle(arena, where, TOL,
                            (k, o) -> k.rmsNorm(rows, dim, 1e-6f, offset, o[0], o[1], o[2], o[3]), x, w, zeros(arena, n), zeros(arena, rows));
                    // dx, and dw accumulated into random values when weighted
                    assertMatchesOracle(arena, where + " backward", TOL * Math.sqrt(dim),
                            (k, o) -> k.rmsNormBackward(rows, dim, offset, o[0], o[1], o[2], o[3], o[4], o[5]),
                            x, w, forward[3], uniform(arena, rnd, n, -1, 1), zeros(arena, n), weighted ? uniform(arena, rnd, dim, -1, 1) : null);
                }
            }
        }
    }

    @Test
    void softmaxAndItsGradientOnOddRows() {
        var rnd = new SplittableRandom(4);
        int[][] shapes = {{1, 1}, {5, 77}, {33, 9}};
        for (int[] rc : shapes) {
            int rows = rc[0], cols = rc[1];
            long n = (long) rows * cols;
            String where = "softmax " + rows + "x" + cols;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment[] forward = assertMatchesOracle(arena, where, TOL, (k, o) -> k.softmax(rows, cols, o[0], o[1]),
                        uniform(arena, rnd, n, -20, 20), zeros(arena, n));
                assertMatchesOracle(arena, where + " backward", TOL, (k, o) -> k.softmaxBackward(rows, cols, o[0], o[1], o[2]),
                        forward[1], uniform(arena, rnd, n, -1, 1), zeros(arena, n));
            }
        }
    }
}
