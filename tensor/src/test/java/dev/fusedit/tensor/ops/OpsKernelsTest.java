package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.GradCheck;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.ScalarKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The float32 ops give the same outputs and gradients on the default provider as on the scalar
 * oracle (run at every vector width, as all *KernelsTest classes are). Sizes are odd so vector
 * tails are exercised.
 */
class OpsKernelsTest {

    record Case(String name, Function<Tensor[], Tensor> op, int[][] shapes) {
        @Override
        public String toString() { return name; }
    }

    static Stream<Case> cases() {
        Tensor mask = causal(3, 17, 19);
        Tensor[] rot = rotary(17, 18);
        return Stream.of(
                new Case("matmul batched", t -> Linalg.matmul(t[0], t[1]), new int[][] {{3, 17, 33}, {3, 33, 5}}),
                new Case("matmul transposed shared weight", t -> Linalg.matmul(t[0].transpose(1, 2), t[1].transpose(0, 1)), new int[][] {{2, 33, 17}, {9, 33}}),
                new Case("linear", t -> Linalg.linear(t[0], t[1], t[2]), new int[][] {{2, 7, 33}, {17, 33}, {17}}),
                new Case("softmax middle dim", t -> TransformerOps.softmax(t[0], 1), new int[][] {{3, 33, 5}}),
                new Case("logSoftmax", t -> TransformerOps.logSoftmax(t[0], -1), new int[][] {{5, 33}}),
                new Case("geglu", t -> TransformerOps.geglu(t[0], t[1]), new int[][] {{3, 37}, {3, 37}}),
                new Case("gelu exact", t -> TransformerOps.geluExact(t[0]), new int[][] {{3, 37}}),
                new Case("rmsNorm gemma", t -> TransformerOps.rmsNorm(t[0], t[1], 1e-6, 1), new int[][] {{5, 33}, {33}}),
                new Case("rope", t -> TransformerOps.rope(t[0], rot[0], rot[1]), new int[][] {{2, 17, 3, 18}}),
                new Case("attention gqa mask softcap", t -> TransformerOps.scaledDotProductAttention(t[0], t[1], t[2], mask, 0.25, 5),
                        new int[][] {{3, 17, 4, 17}, {3, 19, 2, 17}, {3, 19, 2, 17}}),
                new Case("conv2d", t -> Conv.conv2d(t[0], t[1], t[2], 2, 1), new int[][] {{2, 3, 9, 7}, {5, 3, 3, 3}, {5}}),
                new Case("groupNorm", t -> Conv.groupNorm(t[0], 3, t[1], t[2], 1e-5), new int[][] {{2, 6, 5, 3}, {6}, {6}}),
                new Case("upsample", t -> Conv.upsampleNearest(t[0], 2), new int[][] {{2, 3, 5, 3}}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void defaultProviderMatchesTheScalarOracle(Case c) {
        Kernels fast = KernelProvider.current();
        Result expected, actual;
        try (var ignored = KernelProvider.use(ScalarKernels.F32)) {
            expected = run(c);
        }
        try (var ignored = KernelProvider.use(fast)) {
            actual = run(c);
        }
        for (int i = 0; i < expected.values.length; i++) {
            double[] e = expected.values[i], a = actual.values[i];
            assertThat(a).hasSameSizeAs(e);
            for (int j = 0; j < e.length; j++)
                assertThat(Math.abs(a[j] - e[j])).as(c.name + " on " + fast.name() + ": array " + i + " element " + j)
                        .isLessThanOrEqualTo(2e-4 * (1 + Math.abs(e[j])));
        }
    }

    /** The output, then each input's gradient under a fixed random output weighting. */
    private record Result(double[][] values) {}

    private static Result run(Case c) {
        Tensor[] inputs = new Tensor[c.shapes.length];
        for (int i = 0; i < inputs.length; i++) inputs[i] = GradCheck.random(100 + i, c.shapes[i]).to(DType.F32).detach().requiresGrad(true);
        Tensor out = c.op.apply(inputs);
        Tensor weights = GradCheck.random(7, out.shape()).to(DType.F32);
        Reduce.sum(Pointwise.mul(out, weights)).backward();
        double[][] values = new double[inputs.length + 1][];
        values[0] = out.toDoubleArray();
        for (int i = 0; i < inputs.length; i++) values[i + 1] = inputs[i].grad().toDoubleArray();
        return new Result(values);
    }

    private static Tensor causal(int batches, int sq, int skv) {
        Tensor m = Tensor.zeros(DType.F32, batches, sq, skv);
        for (int b = 0; b < batches; b++)
            for (int i = 0; i < sq; i++)
                for (int j = 0; j < skv; j++) if (j > i + b + 1) m.set(Float.NEGATIVE_INFINITY, b, i, j);
        return m;
    }

    private static Tensor[] rotary(int seq, int dim) {
        Tensor cos = Tensor.zeros(DType.F32, 1, seq, dim), sin = Tensor.zeros(DType.F32, 1, seq, dim);
        for (int t = 0; t < seq; t++)
            for (int d = 0; d < dim; d++) {
                double angle = t * Math.pow(10000, -2.0 * (d % (dim / 2)) / dim);
                cos.set(Math.cos(angle), 0, t, d);
                sin.set(Math.sin(angle), 0, t, d);
            }
        return new Tensor[] {cos, sin};
    }
}
