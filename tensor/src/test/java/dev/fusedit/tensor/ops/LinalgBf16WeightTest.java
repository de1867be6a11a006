package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.VectorKernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Linalg with a bfloat16 weight: forward values and the input gradient must equal the float32 path
 * on the widened weight (widening is exact, so only summation order differs), and a frozen weight
 * must reach the kernel as bfloat16 rather than as a float32 copy.
 */
class LinalgBf16WeightTest {
    private static final KernelPool POOL = new KernelPool(2);
    private static final Kernels FAST = new VectorKernels(POOL);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        return Tensor.of(v, shape);
    }

    /** Output and x's gradient (for the loss Σ y·r) of op(x, w) with a fresh leaf x. */
    private static float[][] run(BiFunction<Tensor, Tensor, Tensor> op, Tensor x0, Tensor w) {
        Tensor x = x0.detach().contiguous().requiresGrad(true);
        Tensor y = op.apply(x, w);
        Tensor r = random(99, y.shape());
        Reduce.sum(Pointwise.mul(y, r)).backward();
        return new float[][] {y.toFloatArray(), x.grad().toFloatArray()};
    }

    private static void assertSame(float[][] actual, float[][] expected) {
        for (int t = 0; t < 2; t++) {
            assertThat(actual[t]).hasSameSizeAs(expected[t]);
            for (int i = 0; i < actual[t].length; i++)
                assertThat((double) Math.abs(actual[t][i] - expected[t][i])).as((t == 0 ? "y" : "dx") + "[" + i + "]")
                        .isLessThanOrEqualTo(1e-5 * (1 + Math.abs(expected[t][i])));
        }
    }

    private static void compare(BiFunction<Tensor, Tensor, Tensor> op, Tensor x, Tensor wBf16) {
        Tensor wide = wBf16.to(DType.F32);
        for (Kernels k : new Kernels[] {FAST, dev.fusedit.tensor.kernels.ScalarKernels.F32})
            try (var scope = KernelProvider.use(k)) {
                assertSame(run(op, x, wBf16), run(op, x, wide));
            }
    }

    @Test
    void linearWithAWeightStoredOutByIn() {
        Tensor w = random(1, 37, 70).to(DType.BF16);
        Tensor bias = random(2, 37);
        compare((x, wt) -> Linalg.linear(x, wt, bias), random(3, 3, 9, 70), w);   // a 27-row GEMM
        compare((x, wt) -> Linalg.linear(x, wt, null), random(4, 2, 70), w);      // the matrix-vector path
    }

    @Test
    void matmulWithARowMajorWeightAndBatchedOrTransposedActivations() {
        Tensor w = random(5, 40, 33).to(DType.BF16);
        compare(Linalg::matmul, random(6, 4, 11, 40), w);
        compare((x, wt) -> Linalg.matmul(x.transpose(-1, -2), wt), random(7, 2, 40, 13), w);
        compare(Linalg::matmul, random(8, 40), w);
    }

    @Test
    void aFrozenWeightReachesTheKernelAsBf16AndATrainableOneAsFloat32() {
        List<MatmulShape> f32Calls = new ArrayList<>(), bf16Calls = new ArrayList<>();
        Tensor x = random(9, 6, 20).requiresGrad(true);
        try (var scope = KernelProvider.use(LinalgTest.recordingMatmul(f32Calls, bf16Calls))) {
            Tensor frozen = random(10, 8, 20).to(DType.BF16);
            Reduce.sum(Linalg.linear(x, frozen, null)).backward();
            assertThat(bf16Calls).hasSize(2);                      // y = x·Wᵀ and dX = dY·W
            assertThat(bf16Calls.get(0).transB()).isTrue();
            assertThat(bf16Calls.get(1).transB()).isFalse();
            assertThat(f32Calls).isEmpty();

            Tensor trainable = random(11, 8, 20).to(DType.BF16).requiresGrad(true);
            Reduce.sum(Linalg.linear(x, trainable, null)).backward();
            assertThat(bf16Calls).hasSize(2);                      // unchanged: the float32 path
            assertThat(f32Calls).hasSize(3);
            assertThat(trainable.grad().shape()).containsExactly(8, 20);
        }
    }
}
