package dev.fusedit.tensor.kernels;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link VectorKernels#matmul} against the scalar oracle: shapes around the micro-tile, block and
 * packed-chunk sizes, every transpose combination, batches with shared operands, accumulate.
 * Runs at every vector width (surefire's kernel executions).
 */
class MatmulKernelsTest {
    private static final KernelPool POOL = new KernelPool(2);
    private static final Kernels FAST = new VectorKernels(POOL);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    /** Shapes as {m, n, k}: tiny, odd, tails of every block size, matrix-vector and column results. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {1, 1, 7}, {7, 5, 1}, {3, 17, 33}, {17, 33, 9}, {8, 48, 16}, {9, 49, 17},
            {1, 300, 200}, {1, 700, 800}, {2, 600, 900}, {2, 65, 130}, {4, 129, 33}, {5, 31, 64},
            {300, 1, 70}, {250, 1, 600}, {33, 2, 40},
            {129, 97, 257}, {300, 257, 517}, {70, 90, VectorGemm.KC + 13},
    };

    @Test
    void matchesOracleOnEveryShapeAndTransposeCombination() {
        long seed = 1;
        for (int[] shape : SHAPES)
            for (int combo = 0; combo < 4; combo++) {
                int m = shape[0], n = shape[1], k = shape[2];
                boolean ta = (combo & 1) != 0, tb = (combo & 2) != 0;
                check(new MatmulShape(1, m, n, k, ta, tb, (long) m * k, (long) k * n, (long) m * n, false), seed++);
            }
    }

    @Test
    void trainingStepShapesInTheirForwardAndBackwardForms() {
        // A linear layer of the tiny training config: y = x·Wᵀ, dX = dY·W, dW = dYᵀ·X, with 4096 or 1024 rows.
        long seed = 50;
        int[][] inOut = {{128, 128}, {128, 512}, {512, 128}};
        for (int[] p : inOut) {
            int in = p[0], out = p[1];
            check(new MatmulShape(1, 4096, out, in, false, true, 4096L * in, (long) in * out, 4096L * out, false), seed++);
            check(new MatmulShape(1, 4096, in, out, false, false, 4096L * out, (long) in * out, 4096L * in, false), seed++);
            check(new MatmulShape(1, out, in, 4096, true, false, 4096L * out, 4096L * in, (long) in * out, false), seed++);
        }
        check(new MatmulShape(1, 1024, 128, 128, false, true, 1024 * 128, 128 * 128, 1024 * 128, false), seed++);
        check(new MatmulShape(1, 128, 128, 1024, true, false, 1024 * 128, 1024 * 128, 128 * 128, true), seed);
    }

    @Test
    void accumulateAddsIntoTheExistingOutput() {
        long seed = 100;
        for (int[] shape : new int[][]{{1, 40, 50}, {3, 70, 9}, {37, 53, 300}, {160, 130, 260}})
            for (int combo = 0; combo < 4; combo++) {
                int m = shape[0], n = shape[1], k = shape[2];
                check(new MatmulShape(1, m, n, k, (combo & 1) != 0, (combo & 2) != 0,
                        (long) m * k, (long) k * n, (long) m * n, true), seed++);
            }
    }

    @Test
    void batchesWithOwnAndSharedOperands() {
        long seed = 200;
        int[][] shapes = {{3, 5, 7}, {1, 33, 20}, {20, 1, 30}, {64, 80, 200}, {130, 70, 90}};
        for (int[] shape : shapes)
            for (int batch : new int[]{2, 5})
                for (int combo = 0; combo < 4; combo++)
                    for (int share = 0; share < 3; share++) {
                        int m = shape[0], n = shape[1], k = shape[2];
                        long sa = share == 1 ? 0 : (long) m * k, sb = share == 2 ? 0 : (long) k * n;
                        boolean ta = (combo & 1) != 0, tb = (combo & 2) != 0;
                        check(new MatmulShape(batch, m, n, k, ta, tb, sa, sb, (long) m * n, combo == 3), seed++);
                    }
    }

    @Test
    void paddedBatchStridesLeaveTheGapsUntouched() {
        // Strides larger than a matrix: the elements between batches must keep their values.
        check(new MatmulShape(3, 19, 23, 29, false, true, 19 * 29 + 5, 29 * 23 + 3, 19 * 23 + 11, false), 300);
        check(new MatmulShape(4, 2, 130, 70, true, false, 2 * 70 + 1, 0, 2 * 130 + 7, true), 301);
    }

    @Test
    void summingEveryBatchIntoOneOutputWithStrideZero() {
        check(new MatmulShape(3, 40, 50, 60, false, false, 40 * 60, 60 * 50, 0, true), 400);
        check(new MatmulShape(6, 2, 300, 400, false, true, 2 * 400, 300 * 400, 0, true), 401);
    }

    @Test
    void columnChunksOfPackedBAreStitchedTogether() {
        // few rows: tasks split the columns and pack their own slices of B, k block by k block
        check(new MatmulShape(1, 9, 1100, 4096, false, false, 9 * 4096, 4096L * 1100, 9 * 1100, false), 500);
        // and with enough rows for the row-block path, whose packing splits each chunk by k steps
        // (k = 3·KC + 5: passes cross k-block ends and the last pass is short), or by panels when B
        // is stored n×k; and A stored k×m
        int k = 3 * VectorGemm.KC + 5;
        check(new MatmulShape(1, 72, 1100, k, false, false, 72L * k, (long) k * 1100, 72 * 1100, false), 501);
        check(new MatmulShape(1, 72, 1100, k, false, true, 72L * k, (long) k * 1100, 72 * 1100, false), 502);
        check(new MatmulShape(1, 72, 1100, k, true, false, 72L * k, (long) k * 1100, 72 * 1100, true), 503);
        // the row-block path over several column chunks (a k block of n columns outgrows
        // PACKED_B_BLOCK at every width), k crossing two k-block ends
        int n = (int) (VectorGemm.PACKED_B_BLOCK / VectorGemm.KC) + 97, k2 = 2 * VectorGemm.KC + 7;
        check(new MatmulShape(1, 72, n, k2, false, false, 72L * k2, (long) k2 * n, 72L * n, false), 504);
        check(new MatmulShape(1, 72, n, k2, false, true, 72L * k2, (long) k2 * n, 72L * n, true), 505);
    }

    @Test
    void emptyDimensionsClearOrKeepTheOutput() {
        check(new MatmulShape(2, 4, 5, 0, false, false, 0, 0, 20, false), 600);
        check(new MatmulShape(2, 4, 5, 0, true, true, 0, 0, 20, true), 601);
        check(new MatmulShape(1, 0, 5, 3, false, false, 0, 15, 0, false), 602);
        check(new MatmulShape(1, 4, 0, 3, false, false, 12, 0, 0, false), 603);
        check(new MatmulShape(0, 4, 5, 3, false, false, 12, 15, 20, false), 604);
    }

    @Test
    void tooSmallSegmentsAreRejected() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(4L * 6 * 7), b = arena.allocate(4L * 7 * 8), c = arena.allocate(4L * 6 * 8 - 4);
            assertThatThrownBy(() -> FAST.matmul(MatmulShape.of(6, 8, 7), a, b, c))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("c must hold at least 48 floats");
        }
    }

    private static long floats(int batch, long stride, long matrix) {
        return batch == 0 ? 0 : (batch - 1) * stride + matrix;
    }

    private static void check(MatmulShape s, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = randomSegment(arena, floats(s.batch(), s.strideA(), (long) s.m() * s.k()), random);
            MemorySegment b = randomSegment(arena, floats(s.batch(), s.strideB(), (long) s.k() * s.n()), random);
            MemorySegment expected = randomSegment(arena, floats(s.batch(), s.strideC(), (long) s.m() * s.n()), random);
            MemorySegment actual = arena.allocate(Math.max(1, expected.byteSize()));
            MemorySegment.copy(expected, 0, actual, 0, expected.byteSize());

            ScalarKernels.F32.matmul(s, a, b, expected);
            FAST.matmul(s, a, b, actual);

            double tolerance = 1e-5 * Math.sqrt(Math.max(1, s.k()) * (s.strideC() == 0 ? s.batch() : 1));
            for (long i = 0; i < expected.byteSize() / 4; i++) {
                float want = expected.getAtIndex(F32, i), got = actual.getAtIndex(F32, i);
                if (!(Math.abs(got - want) <= tolerance * (1 + Math.abs(want))))
                    fail("%s on %s: element %d is %s, oracle %s", FAST.name(), s, i, got, want);
            }
        }
    }

    private static MemorySegment randomSegment(Arena arena, long floats, SplittableRandom random) {
        MemorySegment seg = arena.allocate(Math.max(1, floats) * 4);
        for (long i = 0; i < floats; i++) seg.setAtIndex(F32, i, (float) random.nextDouble(-1, 1));
        return seg;
    }
}
