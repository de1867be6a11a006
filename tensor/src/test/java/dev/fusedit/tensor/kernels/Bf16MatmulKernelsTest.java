package dev.fusedit.tensor.kernels;

import dev.fusedit.tensor.ElementAccess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link VectorKernels#matmulBf16Weights} against the scalar oracle, and against the float32 GEMM
 * on the widened weight (which must agree to float32 rounding: widening is exact). Runs at every
 * vector width.
 */
class Bf16MatmulKernelsTest {
    private static final KernelPool POOL = new KernelPool(2);
    private static final Kernels FAST = new VectorKernels(POOL);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    /** {m, n, k}: matrix-vector rows (m ≤ 4), odd tails, a single column, tile and block edges. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {1, 7, 3}, {1, 300, 200}, {2, 65, 130}, {3, 17, 33}, {4, 129, 37}, {5, 31, 64},
            {17, 33, 9}, {9, 49, 17}, {300, 1, 70}, {129, 97, 257}, {130, 257, 517}, {70, 90, VectorGemm.KC + 13},
    };

    @Test
    void matchesOracleOnEveryShapeAndTransposeCombination() {
        long seed = 1;
        for (int[] shape : SHAPES)
            for (int combo = 0; combo < 4; combo++) {
                int m = shape[0], n = shape[1], k = shape[2];
                check(new MatmulShape(1, m, n, k, (combo & 1) != 0, (combo & 2) != 0, (long) m * k, (long) k * n, (long) m * n, false), seed++);
            }
    }

    @Test
    void accumulateAndBatchesSharingTheWeight() {
        check(new MatmulShape(3, 2, 70, 90, false, true, 2 * 90, 0, 2 * 70, false), 100);
        check(new MatmulShape(3, 20, 70, 90, false, false, 20 * 90, 0, 20 * 70, true), 101);
        check(new MatmulShape(2, 3, 40, 50, true, true, 3 * 50, 40 * 50, 3 * 40, true), 102);
        check(new MatmulShape(4, 40, 30, 20, true, false, 40 * 20, 20 * 30, 40 * 30, false), 103);
    }

    @Test
    void aLargeWeightReadInParallelByTheMatrixVectorPath() {
        // k·n above the single-thread threshold: the columns are split over the pool.
        check(new MatmulShape(1, 2, 3000, 700, false, true, 2 * 700, 3000L * 700, 2 * 3000, false), 200);
        check(new MatmulShape(1, 1, 1031, 2304, false, true, 2304, 1031L * 2304, 1031, false), 201);
    }

    @Test
    void trainingShapesOfAFrozenWeight() {
        // y = x·Wᵀ and dX = dY·W with 1024 rows.
        check(new MatmulShape(1, 1024, 256, 128, false, true, 1024 * 128, 256 * 128, 1024 * 256, false), 300);
        check(new MatmulShape(1, 1024, 128, 256, false, false, 1024 * 256, 256 * 128, 1024 * 128, false), 301);
    }

    @Test
    void agreesWithTheFloat32GemmOnTheWidenedWeight() {
        MatmulShape s = new MatmulShape(1, 67, 45, 300, false, true, 67 * 300, 45 * 300, 67 * 45, false);
        SplittableRandom random = new SplittableRandom(400);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = floats(arena, (long) s.m() * s.k(), random), w = bf16(arena, (long) s.k() * s.n(), random);
            MemorySegment wide = arena.allocate((long) s.k() * s.n() * 4);
            for (long i = 0; i < (long) s.k() * s.n(); i++) wide.setAtIndex(F32, i, ElementAccess.bf16ToFloat(w.getAtIndex(BF16, i)));
            MemorySegment viaBf16 = arena.allocate((long) s.m() * s.n() * 4), viaF32 = arena.allocate((long) s.m() * s.n() * 4);
            FAST.matmulBf16Weights(s, a, w, viaBf16);
            FAST.matmul(s, a, wide, viaF32);
            KernelBuffers.assertClose("bf16 vs widened f32", viaBf16, viaF32, (long) s.m() * s.n(), 1e-6 * Math.sqrt(s.k()));
        }
    }

    @Test
    void tooSmallWeightIsRejected() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(4L * 2 * 8), w = arena.allocate(2L * 8 * 5 - 2), c = arena.allocate(4L * 2 * 5);
            assertThatThrownBy(() -> FAST.matmulBf16Weights(new MatmulShape(1, 2, 5, 8, false, true, 16, 40, 10, false), a, w, c))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("b must hold at least 40 bfloat16 values");
        }
    }

    private static long elements(int batch, long stride, long matrix) {
        return batch == 0 ? 0 : (batch - 1) * stride + matrix;
    }

    private static void check(MatmulShape s, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = floats(arena, elements(s.batch(), s.strideA(), (long) s.m() * s.k()), random);
            MemorySegment b = bf16(arena, elements(s.batch(), s.strideB(), (long) s.k() * s.n()), random);
            MemorySegment expected = floats(arena, elements(s.batch(), s.strideC(), (long) s.m() * s.n()), random);
            MemorySegment actual = arena.allocate(expected.byteSize());
            MemorySegment.copy(expected, 0, actual, 0, expected.byteSize());

            ScalarKernels.F32.matmulBf16Weights(s, a, b, expected);
            FAST.matmulBf16Weights(s, a, b, actual);

            double tolerance = 1e-5 * Math.sqrt(Math.max(1, s.k()));
            for (long i = 0; i < expected.byteSize() / 4; i++) {
                float want = expected.getAtIndex(F32, i), got = actual.getAtIndex(F32, i);
                if (!(Math.abs(got - want) <= tolerance * (1 + Math.abs(want))))
                    fail("%s on %s: element %d is %s, oracle %s", FAST.name(), s, i, got, want);
            }
        }
    }

    private static MemorySegment floats(Arena arena, long n, SplittableRandom random) {
        MemorySegment seg = arena.allocate(Math.max(1, n) * 4);
        for (long i = 0; i < n; i++) seg.setAtIndex(F32, i, (float) random.nextDouble(-1, 1));
        return seg;
    }

    /** Random bfloat16 values, negative ones included (their sign extension must be shifted out). */
    private static MemorySegment bf16(Arena arena, long n, SplittableRandom random) {
        MemorySegment seg = arena.allocate(Math.max(1, n) * 2);
        for (long i = 0; i < n; i++) seg.setAtIndex(BF16, i, ElementAccess.floatToBf16((float) random.nextDouble(-1, 1)));
        return seg;
    }
}
