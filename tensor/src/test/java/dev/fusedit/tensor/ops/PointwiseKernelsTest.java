package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.kernels.VectorWidth;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static dev.fusedit.tensor.ops.OpOracle.assertClose;
import static dev.fusedit.tensor.ops.OpOracle.uniform;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contiguous float32 fast paths of {@link Pointwise} (Vector API loops plus scalar tails) at
 * the JVM's vector width, against double-precision math on the same float inputs. Surefire runs
 * this class at every width, "scalar" included, so vector bodies and tails are both exercised.
 */
class PointwiseKernelsTest {

    private static final int[] LENGTHS = {1, 3, 17, 33, 100};

    private static final List<java.util.Map.Entry<BinaryOperator<Tensor>, DoubleBinaryOperator>> ARITH = List.of(
            java.util.Map.entry(Pointwise::add, Double::sum),
            java.util.Map.entry(Pointwise::sub, (x, y) -> x - y),
            java.util.Map.entry(Pointwise::mul, (x, y) -> x * y),
            java.util.Map.entry(Pointwise::div, (x, y) -> x / y));

    /** Rounding a double result of +,-,*,/ on two floats to float is the correctly rounded float result, so these must agree exactly. */
    private static double[] roundedToFloat(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }

    @Test
    void arithmeticFastPathsAreCorrectlyRoundedForEveryBroadcastLayout() {
        int seed = 0;
        for (int n : LENGTHS) {
            int rows = 5;
            int[][][] layouts = {
                    {{rows, n}, {rows, n}},       // same shape
                    {{rows, n}, {1}},             // one value
                    {{}, {rows, n}},              // one value (0-d) first
                    {{rows, n}, {n}},             // a row (bias)
                    {{1, n}, {rows, n}},          // a row first
                    {{rows, n}, {rows, 1}},       // a column (per-row scale)
                    {{rows, 1}, {rows, n}},       // a column first
                    {{2, rows, n}, {rows, 1}},    // a column that is not a leading block: the row path
                    {{rows, 1, n}, {4, 1}}};      // both broadcast: the row path
            for (int[][] layout : layouts) {
                Tensor a = uniform(++seed, DType.F32, 0.5, 2, layout[0]);
                Tensor b = uniform(++seed, DType.F32, 0.5, 2, layout[1]);
                int[] shape = Pointwise.broadcastShape(layout[0], layout[1]);
                for (var op : ARITH) {
                    Tensor y = op.getKey().apply(a, b);
                    assertThat(y.dtype()).isEqualTo(DType.F32);
                    assertThat(y.toDoubleArray()).as("%s with %s at %s", java.util.Arrays.toString(layout[0]),
                            java.util.Arrays.toString(layout[1]), VectorWidth.describe())
                            .containsExactly(roundedToFloat(OpOracle.binary(a, b, shape, op.getValue())));
                }
            }
        }
    }

    @Test
    void stridedOperandsWithContiguousOrBroadcastRowsAreCorrectlyRounded() {
        int seed = 50;
        for (int n : LENGTHS) {
            Tensor wide = uniform(++seed, DType.F32, 0.5, 2, 4, 3, n + 2);
            Tensor narrowed = wide.narrow(2, 1, n);                                    // rows contiguous, strided between
            Tensor permuted = uniform(++seed, DType.F32, 0.5, 2, 3, 4, n).permute(1, 0, 2);
            Tensor columnA = uniform(++seed, DType.F32, 0.5, 2, 4, 3, 1).expand(4, 3, n);   // stride-0 rows
            Tensor columnB = uniform(++seed, DType.F32, 0.5, 2, 4, 1, 1).expand(4, 3, n);
            Tensor transposed = uniform(++seed, DType.F32, 0.5, 2, n, 3, 4).permute(2, 1, 0); // strided rows: generic walk
            Tensor[][] pairs = {{narrowed, permuted}, {permuted, columnA}, {columnA, narrowed}, {columnA, columnB}, {transposed, narrowed}};
            for (Tensor[] pair : pairs)
                for (var op : ARITH)
                    assertThat(op.getKey().apply(pair[0], pair[1]).toDoubleArray())
                            .containsExactly(roundedToFloat(OpOracle.binary(pair[0], pair[1], new int[] {4, 3, n}, op.getValue())));
            assertClose(Pointwise.exp(narrowed).toDoubleArray(), OpOracle.unary(narrowed, Math::exp), 4e-7);
            assertClose(Pointwise.tanh(permuted).toDoubleArray(), OpOracle.unary(permuted, Math::tanh), 4e-7);
            assertClose(Pointwise.neg(columnA).toDoubleArray(), OpOracle.unary(columnA, v -> -v), 0);
        }
    }

    @Test
    void scalarConstantFastPathsAreCorrectlyRounded() {
        int seed = 100;
        for (int n : LENGTHS) {
            Tensor x = uniform(++seed, DType.F32, 0.5, 2, 3, n);
            float c = 1.375f;   // exactly representable, so the constant itself is not rounded
            List<java.util.Map.Entry<UnaryOperator<Tensor>, DoubleUnaryOperator>> cases = List.of(
                    java.util.Map.entry(t -> Pointwise.add(t, c), v -> v + c),
                    java.util.Map.entry(t -> Pointwise.sub(t, c), v -> v - c),
                    java.util.Map.entry(t -> Pointwise.sub(c, t), v -> c - v),
                    java.util.Map.entry(t -> Pointwise.mul(t, c), v -> v * c),
                    java.util.Map.entry(t -> Pointwise.div(t, c), v -> v / c),
                    java.util.Map.entry(t -> Pointwise.div(c, t), v -> c / v));
            for (var op : cases)
                assertThat(op.getKey().apply(x).toDoubleArray()).containsExactly(roundedToFloat(OpOracle.unary(x, op.getValue())));
        }
    }

    @Test
    void unaryVectorFunctionsStayWithinAFewUlpsOfJavaMath() {
        List<java.util.Map.Entry<UnaryOperator<Tensor>, DoubleUnaryOperator>> cases = List.of(
                java.util.Map.entry(Pointwise::neg, v -> -v),
                java.util.Map.entry(Pointwise::abs, Math::abs),
                java.util.Map.entry(Pointwise::sqrt, Math::sqrt),
                java.util.Map.entry(Pointwise::exp, Math::exp),
                java.util.Map.entry(Pointwise::log, Math::log),
                java.util.Map.entry(Pointwise::tanh, Math::tanh),
                java.util.Map.entry(Pointwise::rsqrt, v -> 1 / Math.sqrt(v)),
                java.util.Map.entry(Pointwise::sigmoid, v -> 1 / (1 + Math.exp(-v))),
                java.util.Map.entry(Pointwise::silu, v -> v / (1 + Math.exp(-v))));
        java.util.Set<Integer> positiveOnly = java.util.Set.of(2, 4, 6);
        int seed = 200;
        for (int n : LENGTHS) {
            Tensor signed = uniform(++seed, DType.F32, -9, 9, 2, n);
            Tensor positive = uniform(++seed, DType.F32, 1e-3, 50, 2, n);
            for (int k = 0; k < cases.size(); k++) {
                Tensor x = positiveOnly.contains(k) ? positive : signed;
                // float results: a few units in the last place (2^-23 ≈ 1.2e-7 relative)
                assertClose(cases.get(k).getKey().apply(x).toDoubleArray(), OpOracle.unary(x, cases.get(k).getValue()), 4e-7);
            }
        }
    }

    @Test
    void sigmoidAndSiluSaturateWithoutNaNAtExtremeInputs() {
        float[] extremes = new float[37];
        for (int i = 0; i < extremes.length; i++) extremes[i] = (i % 2 == 0 ? -1 : 1) * (float) Math.pow(1.9, i);   // up to ±1e10
        Tensor x = Tensor.of(extremes, extremes.length);
        assertClose(Pointwise.sigmoid(x).toDoubleArray(), OpOracle.unary(x, v -> 1 / (1 + Math.exp(-v))), 4e-7);
        assertClose(Pointwise.silu(x).toDoubleArray(), OpOracle.unary(x, v -> v / (1 + Math.exp(-v))), 4e-7);
    }

    @Test
    void inPlaceFastPathsMatchTheOracle() {
        int seed = 300;
        for (int n : LENGTHS) {
            Tensor dst = uniform(++seed, DType.F32, -1, 1, 3, n), src = uniform(++seed, DType.F32, -1, 1, 3, n);
            Tensor before = dst.copy();
            Pointwise.addInPlace(dst, src);
            assertThat(dst.toDoubleArray()).containsExactly(roundedToFloat(OpOracle.binary(before, src, dst.shape(), Double::sum)));
            Tensor mid = dst.copy();
            Pointwise.mulInPlace(dst, 0.75);
            assertThat(dst.toDoubleArray()).containsExactly(roundedToFloat(OpOracle.unary(mid, v -> v * 0.75)));
        }
    }
}
