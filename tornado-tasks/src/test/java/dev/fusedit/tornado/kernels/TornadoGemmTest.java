package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.ElementAccess;
import dev.fusedit.tensor.kernels.KernelBuffers;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tornado.DeviceUnderTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.KernelBuffers.assertClose;
import static dev.fusedit.tensor.kernels.KernelBuffers.copy;
import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tiled device GEMM ({@link GemmKernel}) against the scalar oracle, float32 and bfloat16 weights. */
class TornadoGemmTest extends DeviceUnderTest {
    @Test
    void oddShapesEveryTransposeBatchedAndAccumulating() {
        SplittableRandom rnd = new SplittableRandom(1);
        int[][] shapes = {{1, 1, 1}, {7, 5, 3}, {17, 33, 19}, {16, 16, 16}, {65, 31, 47}, {3, 70, 129}};
        int trial = 0;
        for (int[] mnk : shapes) {
            boolean transA = (trial & 1) != 0, transB = (trial & 2) != 0, accumulate = trial % 3 == 2;
            int batch = 1 + trial % 3;
            compare(rnd, batch, mnk[0], mnk[1], mnk[2], transA, transB, accumulate, trial % 2 == 0);
            trial++;
        }
    }

    @Test
    void randomShapes() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (int trial = 0; trial < 8; trial++)
            compare(rnd, 1 + rnd.nextInt(3), 1 + rnd.nextInt(90), 1 + rnd.nextInt(90), 1 + rnd.nextInt(90),
                    rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean());
    }

    @Test
    void emptyInnerDimensionGivesZeros() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = uniform(arena, new SplittableRandom(3), 12, -1, 1);
            device.matmul(MatmulShape.of(3, 4, 0), zeros(arena, 1), zeros(arena, 1), c);
            for (int i = 0; i < 12; i++) assertThat(c.getAtIndex(KernelBuffers.FLOAT, i)).isZero();
        }
    }

    @Test
    void bf16WeightsStayOnTheDeviceAcrossCalls() {
        SplittableRandom rnd = new SplittableRandom(4);
        int in = 37, out = 29;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = bf16(arena, rnd, (long) out * in);
            // y = x·Wᵀ (W stored [out, in]) for two inputs of different lengths, then the same weight again
            int[] rows = {5, 70, 5};
            int plansAfterFirst = -1;
            for (int call = 0; call < rows.length; call++) {
                var s = new MatmulShape(1, rows[call], out, in, false, true, 0, 0, 0, false);
                MemorySegment x = uniform(arena, rnd, (long) rows[call] * in, -1, 1);
                MemorySegment got = zeros(arena, (long) rows[call] * out), want = zeros(arena, (long) rows[call] * out);
                device.matmulBf16Weights(s, x, w, got);
                ORACLE.matmulBf16Weights(s, x, w, want);
                assertClose("bf16 call " + call, got, want, (long) rows[call] * out, 1e-5 * Math.sqrt(in));
                if (call == 0) plansAfterFirst = device.compiledPlans();
            }
            // the third call reused the first call's plan: the weight was not sent again
            assertThat(device.compiledPlans()).isEqualTo(plansAfterFirst + 1);
            // dX = dY·W: the same weight untransposed, accumulating
            var back = new MatmulShape(2, 9, in, out, false, false, (long) 9 * out, 0, (long) 9 * in, true);
            MemorySegment dy = uniform(arena, rnd, 2L * 9 * out, -1, 1);
            MemorySegment got = uniform(arena, rnd, 2L * 9 * in, -1, 1), want = copy(arena, got);
            device.matmulBf16Weights(back, dy, w, got);
            ORACLE.matmulBf16Weights(back, dy, w, want);
            assertClose("bf16 dX", got, want, 2L * 9 * in, 1e-5 * Math.sqrt(out));
        }
    }

    @Test
    void segmentsTooSmallAreRejectedBeforeTheDevice() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> device.matmul(MatmulShape.of(4, 4, 4), zeros(arena, 15), zeros(arena, 16), zeros(arena, 16)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("matmul A").hasMessageContaining("16");
        }
    }

    private static MemorySegment bf16(Arena arena, SplittableRandom rnd, long n) {
        MemorySegment s = arena.allocate(n * Short.BYTES, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, ElementAccess.floatToBf16((float) rnd.nextDouble(-1, 1)));
        return s;
    }

    /** One batched product; B shared by every batch (stride 0) when sharedB, as a weight is. */
    private void compare(SplittableRandom rnd, int batch, int m, int n, int k, boolean transA, boolean transB, boolean accumulate, boolean sharedB) {
        long strideB = sharedB ? 0 : (long) k * n + 3;
        var s = new MatmulShape(batch, m, n, k, transA, transB, (long) m * k + 1, strideB, (long) m * n + 2, accumulate);
        try (Arena arena = Arena.ofConfined()) {
            long aLen = (batch - 1) * s.strideA() + (long) m * k, bLen = (batch - 1) * strideB + (long) k * n, cLen = (batch - 1) * s.strideC() + (long) m * n;
            MemorySegment a = uniform(arena, rnd, aLen, -1, 1), b = uniform(arena, rnd, bLen, -1, 1);
            MemorySegment got = uniform(arena, rnd, cLen, -1, 1), want = copy(arena, got);
            device.matmul(s, a, b, got);
            ORACLE.matmul(s, a, b, want);
            assertClose(s.toString(), got, want, cLen, 1e-5 * Math.sqrt(k));
        }
    }
}
