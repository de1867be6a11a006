package dev.fusedit.tensor.kernels;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.KernelBuffers.FLOAT;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.fusedit.tensor.kernels.KernelBuffers.assertClose;
import static dev.fusedit.tensor.kernels.KernelBuffers.copy;
import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;

/**
 * {@link VectorRowKernels} (through {@link VectorKernels}) against the scalar oracle: the row
 * reductions RMSNorm and softmax, at sizes below and above the single-thread threshold (32K
 * elements), with widths that are not multiples of any vector length.
 */
class RowKernelsTest {

    private static final KernelPool POOL = new KernelPool(2);
    private static final Kernels FAST = new VectorKernels(POOL);
    private static final Kernels ORACLE = ScalarKernels.F32;
    private static final double TOL = 1e-5;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @Test
    void rmsNormForwardAndBackwardMatchTheOracle() {
        rmsNorm(1, 1, true, 0f, 1);
        rmsNorm(3, 17, true, 1f, 2);
        rmsNorm(37, 33, false, 0f, 3);
        rmsNorm(200, 257, true, 1f, 4);    // 51400 elements: parallel, several dw partials
        rmsNorm(130, 300, false, 0f, 5);
    }

    private static void rmsNorm(int rows, int dim, boolean weighted, float weightOffset, long seed) {
        var rnd = new SplittableRandom(seed);
        long n = (long) rows * dim;
        float eps = 1e-6f;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = uniform(arena, rnd, n, -3, 3), dy = uniform(arena, rnd, n, -1, 1);
            MemorySegment w = weighted ? uniform(arena, rnd, dim, -1, 1) : null;
            MemorySegment out = zeros(arena, n), rstd = zeros(arena, rows), refOut = zeros(arena, n), refRstd = zeros(arena, rows);
            FAST.rmsNorm(rows, dim, eps, weightOffset, x, w, out, rstd);
            ORACLE.rmsNorm(rows, dim, eps, weightOffset, x, w, refOut, refRstd);
            String where = "rmsNorm " + rows + "x" + dim + " weighted " + weighted + ": ";
            assertClose(where + "out", out, refOut, n, TOL);
            assertClose(where + "rstd", rstd, refRstd, rows, TOL);

            MemorySegment dx = zeros(arena, n), refDx = zeros(arena, n);
            // dw accumulates: start both from the same nonzero values
            MemorySegment dw = weighted ? uniform(arena, rnd, dim, -1, 1) : null;
            MemorySegment refDw = weighted ? copy(arena, dw) : null;
            FAST.rmsNormBackward(rows, dim, weightOffset, x, w, refRstd, dy, dx, dw);
            ORACLE.rmsNormBackward(rows, dim, weightOffset, x, w, refRstd, dy, refDx, refDw);
            assertClose(where + "dx", dx, refDx, n, TOL);
            if (weighted) assertClose(where + "dw", dw, refDw, dim, TOL * Math.sqrt(rows));
        }
    }

    @Test
    void rmsNormRowsAreBitIdenticalWhetherOrNotTheyOpenAChunk() {
        // each chunk sums its first row on its own and every later row while scaling the one before
        int rows = 200, dim = 301;
        var rnd = new SplittableRandom(10);
        try (Arena arena = Arena.ofShared()) {
            long n = (long) rows * dim;
            MemorySegment x = uniform(arena, rnd, n, -3, 3), w = uniform(arena, rnd, dim, -1, 1);
            MemorySegment whole = zeros(arena, n), wholeRstd = zeros(arena, rows);
            FAST.rmsNorm(rows, dim, 1e-6f, 1f, x, w, whole, wholeRstd);
            for (int r = 0; r < rows; r++) {
                long at = (long) r * dim * Float.BYTES;
                MemorySegment one = zeros(arena, dim), oneRstd = zeros(arena, 1);
                FAST.rmsNorm(1, dim, 1e-6f, 1f, x.asSlice(at), w, one, oneRstd);
                assertClose("row " + r, one, whole.asSlice(at), dim, 0);
                assertClose("rstd " + r, oneRstd, wholeRstd.asSlice(r * (long) Float.BYTES), 1, 0);
            }
        }
    }

    @Test
    void rmsNormWeightGradientAgreesAcrossThreadCounts() {
        int rows = 300, dim = 129;
        var rnd = new SplittableRandom(9);
        try (Arena arena = Arena.ofShared(); KernelPool one = new KernelPool(1)) {
            long n = (long) rows * dim;
            MemorySegment x = uniform(arena, rnd, n, -3, 3), dy = uniform(arena, rnd, n, -1, 1), w = uniform(arena, rnd, dim, -1, 1);
            MemorySegment rstd = zeros(arena, rows), out = zeros(arena, n);
            FAST.rmsNorm(rows, dim, 1e-6f, 1f, x, w, out, rstd);
            MemorySegment dx1 = zeros(arena, n), dx2 = zeros(arena, n), dw1 = zeros(arena, dim), dw2 = zeros(arena, dim);
            new VectorKernels(one).rmsNormBackward(rows, dim, 1f, x, w, rstd, dy, dx1, dw1);
            FAST.rmsNormBackward(rows, dim, 1f, x, w, rstd, dy, dx2, dw2);
            assertClose("dx", dx2, dx1, n, 1e-6);
            assertClose("dw", dw2, dw1, dim, 1e-6);
        }
    }

    @Test
    void softmaxForwardAndBackwardMatchTheOracle() {
        softmax(1, 1, 1);
        softmax(5, 17, 2);
        softmax(9, 64, 3);
        softmax(4, 40, 5);     // odd vector counts per row at 256 bits (5) ...
        softmax(3, 80, 6);     // ... and at 512 (5)
        softmax(70, 513, 4);   // 35910 elements: parallel
        // far from 0, where max·log2 e rounds coarsely: vector lanes and the tail columns must share that rounding
        softmax(5, 37, 7, 1e4f);
        softmax(3, 83, 8, -3e5f);
    }

    private static void softmax(int rows, int cols, long seed) {
        softmax(rows, cols, seed, 0f);
    }

    private static void softmax(int rows, int cols, long seed, float offset) {
        var rnd = new SplittableRandom(seed);
        long n = (long) rows * cols;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = uniform(arena, rnd, n, offset - 20, offset + 20), dy = uniform(arena, rnd, n, -1, 1);
            // masked entries as the model writes them, and one row that is masked except its last column
            for (long i = 0; i < n; i++) if (rnd.nextInt(5) == 0) x.setAtIndex(FLOAT, i, -3.4e38f);
            for (int c = 0; c + 1 < cols; c++) x.setAtIndex(FLOAT, c, -3.4e38f);
            MemorySegment y = zeros(arena, n), refY = zeros(arena, n);
            FAST.softmax(rows, cols, x, y);
            ORACLE.softmax(rows, cols, x, refY);
            String where = "softmax " + rows + "x" + cols + ": ";
            assertClose(where + "y", y, refY, n, TOL);
            MemorySegment inPlace = copy(arena, x);
            FAST.softmax(rows, cols, inPlace, inPlace);
            assertClose(where + "y in place", inPlace, refY, n, TOL);
            MemorySegment dx = zeros(arena, n), refDx = zeros(arena, n);
            FAST.softmaxBackward(rows, cols, refY, dy, dx);
            ORACLE.softmaxBackward(rows, cols, refY, dy, refDx);
            assertClose(where + "dx", dx, refDx, n, TOL);
        }
    }

    @Test
    void segmentsTooSmallForTheShapeAreRejected() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment small = zeros(arena, 10), big = zeros(arena, 100);
            assertThatThrownBy(() -> FAST.softmax(4, 5, small, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("softmax x [rows, cols]").hasMessageContaining("20");
            assertThatThrownBy(() -> FAST.rmsNorm(4, 5, 1e-6f, 0f, big, zeros(arena, 3), big, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rmsNorm w [dim]");
            assertThatThrownBy(() -> FAST.geglu(11, small, big, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("geglu gate");
        }
    }
}
