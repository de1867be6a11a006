package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

import static dev.fusedit.tensor.ops.OpOracle.assertClose;
import static dev.fusedit.tensor.ops.OpOracle.awayFromZero;
import static dev.fusedit.tensor.ops.OpOracle.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PointwiseTest {

    /** A unary op, its definition in plain Java math, and the input range where it is smooth and defined. */
    record UnaryCase(String name, Function<Tensor, Tensor> op, DoubleUnaryOperator math, double lo, double hi) {}

    private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    private static final List<UnaryCase> UNARY = List.of(
            new UnaryCase("neg", Pointwise::neg, x -> -x, -2, 2),
            new UnaryCase("square", Pointwise::square, x -> x * x, -2, 2),
            new UnaryCase("pow 3", t -> Pointwise.pow(t, 3), x -> x * x * x, -2, 2),
            new UnaryCase("pow -1.5", t -> Pointwise.pow(t, -1.5), x -> 1 / (x * Math.sqrt(x)), 0.3, 3),
            new UnaryCase("pow 0.5", t -> Pointwise.pow(t, 0.5), Math::sqrt, 0.3, 3),
            new UnaryCase("pow 0", t -> Pointwise.pow(t, 0), x -> 1, -2, 2),
            new UnaryCase("sqrt", Pointwise::sqrt, Math::sqrt, 0.3, 3),
            new UnaryCase("rsqrt", Pointwise::rsqrt, x -> 1 / Math.sqrt(x), 0.3, 3),
            new UnaryCase("exp", Pointwise::exp, Math::exp, -3, 3),
            new UnaryCase("log", Pointwise::log, Math::log, 0.2, 4),
            new UnaryCase("tanh", Pointwise::tanh, Math::tanh, -3, 3),
            new UnaryCase("sigmoid", Pointwise::sigmoid, PointwiseTest::sigmoid, -6, 6),
            new UnaryCase("silu", Pointwise::silu, x -> x * sigmoid(x), -6, 6),
            new UnaryCase("add 1.25", t -> Pointwise.add(t, 1.25), x -> x + 1.25, -2, 2),
            new UnaryCase("sub 0.75", t -> Pointwise.sub(t, 0.75), x -> x - 0.75, -2, 2),
            new UnaryCase("0.75 sub", t -> Pointwise.sub(0.75, t), x -> 0.75 - x, -2, 2),
            new UnaryCase("mul -1.5", t -> Pointwise.mul(t, -1.5), x -> x * -1.5, -2, 2),
            new UnaryCase("div 3", t -> Pointwise.div(t, 3), x -> x / 3, -2, 2),
            new UnaryCase("2 div", t -> Pointwise.div(2, t), x -> 2 / x, 0.4, 3));

    @Test
    void unaryForwardMatchesJavaMathOnContiguousAndStridedInputs() {
        int seed = 0;
        for (UnaryCase c : UNARY) {
            for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                double tol = dtype == DType.F64 ? 1e-13 : 3e-7;
                Tensor contiguous = uniform(++seed, dtype, c.lo, c.hi, 37);
                Tensor strided = uniform(++seed, dtype, c.lo, c.hi, 4, 5, 3).permute(2, 0, 1).narrow(1, 1, 3);
                for (Tensor x : new Tensor[] {contiguous, strided}) {
                    Tensor y = c.op.apply(x);
                    assertThat(y.dtype()).as(c.name).isEqualTo(dtype);
                    assertThat(y.shape()).as(c.name).containsExactly(x.shape());
                    try {
                        assertClose(y.toDoubleArray(), OpOracle.unary(x, c.math), tol);
                    } catch (AssertionError e) {
                        throw new AssertionError(c.name + " on " + dtype + ": " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    @Test
    void unaryGradientsMatchFiniteDifferences() {
        int seed = 100;
        for (UnaryCase c : UNARY) {
            Tensor odd = uniform(++seed, DType.F64, c.lo, c.hi, 7).requiresGrad(true);
            Tensor base = uniform(++seed, DType.F64, c.lo, c.hi, 3, 4, 5).requiresGrad(true);
            try {
                GradCheck.check(in -> c.op.apply(in[0]), odd);
                GradCheck.check(in -> c.op.apply(in[0].permute(2, 0, 1).narrow(2, 1, 3)), base);
            } catch (AssertionError e) {
                throw new AssertionError(c.name + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void kinkedOpsMatchMathAndFiniteDifferencesAwayFromTheirKinks() {
        Tensor x = awayFromZero(7, 0.05, 5, 6).permute(1, 0);
        assertClose(Pointwise.relu(x).toDoubleArray(), OpOracle.unary(x, v -> Math.max(v, 0)), 0);
        assertClose(Pointwise.abs(x).toDoubleArray(), OpOracle.unary(x, Math::abs), 0);
        assertClose(Pointwise.clamp(x, -0.5, 1).toDoubleArray(), OpOracle.unary(x, v -> Math.min(Math.max(v, -0.5), 1)), 0);
        assertClose(Pointwise.clamp(x, Double.NEGATIVE_INFINITY, 0.25).toDoubleArray(), OpOracle.unary(x, v -> Math.min(v, 0.25)), 0);

        Tensor leaf = awayFromZero(8, 0.05, 6, 5).requiresGrad(true);
        GradCheck.check(in -> Pointwise.relu(in[0].transpose(0, 1)), leaf);
        GradCheck.check(in -> Pointwise.abs(in[0].transpose(0, 1)), leaf);
        // keep every value at least 0.05 away from the clamp bounds as well
        Tensor forClamp = Pointwise.map(awayFromZero(9, 0.05, 6, 5), v -> Math.abs(v - 0.7) < 0.05 ? v + 0.2 : v).requiresGrad(true);
        GradCheck.check(in -> Pointwise.clamp(in[0], -0.5, 0.7), forClamp);
    }

    @Test
    void clampGradientPassesInsideTheBoundsIncludingThemAndStopsOutside() {
        Tensor x = Tensor.of(DType.F64, new double[] {-2, -1, 0, 1, 2}, 5).requiresGrad(true);
        Reduce.sum(Pointwise.clamp(x, -1, 1)).backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 1, 1, 1, 0);
        assertThatThrownBy(() -> Pointwise.clamp(x, 1, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min <= max");
    }

    /** A binary op and its plain Java definition; {@code positiveLeft} restricts the left operand to positive values. */
    record BinaryCase(String name, java.util.function.BinaryOperator<Tensor> op, DoubleBinaryOperator math, boolean positiveLeft) {}

    private static final List<BinaryCase> BINARY = List.of(
            new BinaryCase("add", Pointwise::add, Double::sum, false),
            new BinaryCase("sub", Pointwise::sub, (x, y) -> x - y, false),
            new BinaryCase("mul", Pointwise::mul, (x, y) -> x * y, false),
            new BinaryCase("div", (a, b) -> Pointwise.div(a, Pointwise.add(Pointwise.square(b), 0.5)), (x, y) -> x / (y * y + 0.5), false),
            new BinaryCase("pow", Pointwise::pow, Math::pow, true));

    private static final int[][][] SHAPE_PAIRS = {
            {{3, 1, 5}, {4, 1}},
            {{4, 1}, {3, 1, 5}},
            {{2, 3}, {2, 3}},
            {{7}, {1}},
            {{}, {2, 3}},
            {{6, 5}, {5}},
            {{6, 1}, {6, 4}}};

    private static Tensor operand(long seed, DType dtype, boolean positive, int... shape) {
        return positive ? uniform(seed, dtype, 0.3, 2.5, shape) : uniform(seed, dtype, -2, 2, shape);
    }

    @Test
    void binaryForwardBroadcastsLikeTheIndexOracle() {
        int seed = 200;
        for (BinaryCase c : BINARY) {
            for (int[][] pair : SHAPE_PAIRS) {
                for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                    Tensor a = operand(++seed, dtype, c.positiveLeft, pair[0]);
                    Tensor b = operand(++seed, dtype, false, pair[1]);
                    int[] shape = Pointwise.broadcastShape(pair[0], pair[1]);
                    Tensor y = c.op.apply(a, b);
                    assertThat(y.shape()).containsExactly(shape);
                    assertClose(y.toDoubleArray(), OpOracle.binary(a, b, shape, c.math), dtype == DType.F64 ? 1e-13 : 1e-6);
                }
            }
        }
    }

    @Test
    void binaryOpsMixDtypesAndStridedOperands() {
        Tensor a = uniform(1, DType.F32, -2, 2, 5, 4).transpose(0, 1);   // [4,5], strided
        Tensor b = uniform(2, DType.F64, -2, 2, 5);
        Tensor y = Pointwise.mul(a, b);
        assertThat(y.dtype()).isEqualTo(DType.F64);
        assertClose(y.toDoubleArray(), OpOracle.binary(a, b, new int[] {4, 5}, (p, q) -> p * q), 1e-15);
        Tensor ints = Tensor.of(DType.I32, new double[] {1, 2, 3}, 3);
        Tensor z = Pointwise.add(ints, uniform(3, DType.BF16, -2, 2, 2, 3));
        assertThat(z.dtype()).isEqualTo(DType.F32);
    }

    @Test
    void binaryGradientsWithBroadcastingAndStridedViews() {
        int seed = 300;
        for (BinaryCase c : BINARY) {
            for (int[][] pair : SHAPE_PAIRS) {
                Tensor a = operand(++seed, DType.F64, c.positiveLeft, pair[0]).requiresGrad(true);
                Tensor b = operand(++seed, DType.F64, false, pair[1]).requiresGrad(true);
                try {
                    GradCheck.check(in -> c.op.apply(in[0], in[1]), a, b);
                } catch (AssertionError e) {
                    throw new AssertionError(c.name + " " + java.util.Arrays.deepToString(pair) + ": " + e.getMessage(), e);
                }
            }
            // permuted and narrowed operands: a [5,3] read as [3,4] columns 0..3, b [4,3] transposed to [3,4]
            Tensor a = operand(++seed, DType.F64, c.positiveLeft, 5, 3).requiresGrad(true);
            Tensor b = operand(++seed, DType.F64, false, 4, 3).requiresGrad(true);
            GradCheck.check(in -> c.op.apply(in[0].transpose(0, 1).narrow(1, 1, 4), in[1].transpose(0, 1)), a, b);
            // only one side requires a gradient
            Tensor constant = operand(++seed, DType.F64, false, 4, 1);
            GradCheck.check(in -> c.op.apply(in[0].narrow(0, 1, 4), constant), a);
        }
    }

    @Test
    void shapeMismatchesNameBothShapes() {
        Tensor a = Tensor.zeros(3, 4), b = Tensor.zeros(2, 4);
        assertThatThrownBy(() -> Pointwise.add(a, b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[3, 4]").hasMessageContaining("[2, 4]").hasMessageContaining("do not broadcast");
        assertThatThrownBy(() -> Pointwise.mul(a, Tensor.zeros(5))).hasMessageContaining("do not broadcast");
        assertThatThrownBy(() -> Pointwise.where(Tensor.zeros(2), a, a)).hasMessageContaining("do not broadcast");
        assertThatThrownBy(() -> Pointwise.lt(a, b)).hasMessageContaining("do not broadcast");
        assertThatThrownBy(() -> Pointwise.maskedFill(Tensor.zeros(4), Tensor.zeros(3, 4), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask of shape [3, 4]").hasMessageContaining("[4]");
    }

    // ---------------------------------------------------------------- comparisons and selection

    @Test
    void comparisonsGiveU8ZeroOrOneWithBroadcasting() {
        // small integers so that equality actually occurs
        Tensor a = Pointwise.map(uniform(11, DType.F32, 0, 3, 3, 1, 4), Math::floor);
        Tensor b = Pointwise.map(uniform(12, DType.F64, 0, 3, 5, 1), Math::floor);
        int[] shape = {3, 5, 4};
        List<java.util.Map.Entry<java.util.function.BinaryOperator<Tensor>, DoubleBinaryOperator>> cases = List.of(
                java.util.Map.entry(Pointwise::eq, (x, y) -> x == y ? 1 : 0),
                java.util.Map.entry(Pointwise::ne, (x, y) -> x != y ? 1 : 0),
                java.util.Map.entry(Pointwise::lt, (x, y) -> x < y ? 1 : 0),
                java.util.Map.entry(Pointwise::le, (x, y) -> x <= y ? 1 : 0),
                java.util.Map.entry(Pointwise::gt, (x, y) -> x > y ? 1 : 0),
                java.util.Map.entry(Pointwise::ge, (x, y) -> x >= y ? 1 : 0));
        for (var c : cases) {
            Tensor r = c.getKey().apply(a, b);
            assertThat(r.dtype()).isEqualTo(DType.U8);
            assertThat(r.toDoubleArray()).containsExactly(OpOracle.binary(a, b, shape, c.getValue()));
        }
        Tensor x = uniform(13, DType.F64, -1, 1, 9);
        double c = x.get(4);   // a value that is present, so eq finds it
        assertThat(Pointwise.eq(x, c).toDoubleArray()).containsExactly(OpOracle.unary(x, v -> v == c ? 1 : 0));
        assertThat(Pointwise.ne(x, c).toDoubleArray()).containsExactly(OpOracle.unary(x, v -> v != c ? 1 : 0));
        assertThat(Pointwise.lt(x, c).toDoubleArray()).containsExactly(OpOracle.unary(x, v -> v < c ? 1 : 0));
        assertThat(Pointwise.le(x, c).toDoubleArray()).containsExactly(OpOracle.unary(x, v -> v <= c ? 1 : 0));
        assertThat(Pointwise.gt(x, c).toDoubleArray()).containsExactly(OpOracle.unary(x, v -> v > c ? 1 : 0));
        assertThat(Pointwise.ge(x, c).toDoubleArray()).containsExactly(OpOracle.unary(x, v -> v >= c ? 1 : 0));
        assertThat(Pointwise.eq(x, c).toDoubleArray()).contains(1.0);
        Tensor leaf = uniform(14, DType.F64, -1, 1, 4).requiresGrad(true);
        assertThat(Pointwise.gt(leaf, 0.0).requiresGrad()).as("comparisons are not differentiable").isFalse();
        assertThat(Pointwise.eq(leaf, leaf).requiresGrad()).isFalse();
    }

    @Test
    void whereSelectsWithABroadcastConditionOfAnyDtype() {
        Tensor a = uniform(21, DType.F64, -2, 2, 3, 1, 5);
        Tensor b = uniform(22, DType.F32, -2, 2, 4, 1);
        Tensor condF = Pointwise.map(uniform(23, DType.F32, -1, 1, 4, 5), v -> v > 0 ? 2.5 : 0);   // nonzero = true
        Tensor condU8 = Pointwise.gt(uniform(24, DType.F64, -1, 1, 1, 4, 1), 0.0);
        for (Tensor cond : new Tensor[] {condF, condU8}) {
            int[] shape = Pointwise.broadcastShape(Pointwise.broadcastShape(cond.shape(), a.shape()), b.shape());
            Tensor y = Pointwise.where(cond, a, b);
            assertThat(y.shape()).containsExactly(shape);
            assertThat(y.dtype()).isEqualTo(DType.F64);
            int[][] all = OpOracle.indices(shape);
            double[] expected = new double[all.length];
            for (int i = 0; i < all.length; i++) {
                boolean t = cond.get(OpOracle.broadcastIndex(all[i], cond.shape())) != 0;
                expected[i] = (t ? a : b).get(OpOracle.broadcastIndex(all[i], (t ? a : b).shape()));
            }
            assertThat(y.toDoubleArray()).containsExactly(expected);
        }
    }

    @Test
    void whereAndMaskedFillGradients() {
        Tensor cond = Pointwise.gt(uniform(31, DType.F64, -1, 1, 4, 5), 0.0);
        Tensor a = uniform(32, DType.F64, -2, 2, 3, 1, 5).requiresGrad(true);
        Tensor b = uniform(33, DType.F64, -2, 2, 5, 4).requiresGrad(true);
        GradCheck.check(in -> Pointwise.where(cond, in[0], in[1].transpose(0, 1)), a, b);
        GradCheck.check(in -> Pointwise.where(cond, in[0], in[0].narrow(0, 1, 1)), a);

        Tensor x = uniform(34, DType.F64, -2, 2, 5, 4).requiresGrad(true);
        Tensor mask = Pointwise.lt(uniform(35, DType.F32, -1, 1, 4, 1), 0.0);
        GradCheck.check(in -> Pointwise.maskedFill(in[0].transpose(0, 1), mask, -7), x);
    }

    @Test
    void maskedFillWritesTheValueWhereTheMaskIsNonzero() {
        Tensor x = uniform(41, DType.F32, -2, 2, 3, 4, 5).permute(0, 2, 1);   // [3,5,4], strided
        Tensor mask = Pointwise.map(uniform(42, DType.F64, -1, 1, 5, 1), v -> v > 0 ? -3 : 0);
        Tensor y = Pointwise.maskedFill(x, mask, Double.NEGATIVE_INFINITY);
        assertThat(y.dtype()).isEqualTo(DType.F32);
        assertThat(y.toDoubleArray()).containsExactly(OpOracle.binary(x, mask, x.shape(), (v, m) -> m != 0 ? Double.NEGATIVE_INFINITY : v));
    }

    @Test
    void gradientsReachEveryInputThroughACompositeExpression() {
        Tensor a = uniform(51, DType.F64, 0.5, 2, 3, 1, 5).requiresGrad(true);
        Tensor b = uniform(52, DType.F64, -1, 1, 4, 1).requiresGrad(true);
        GradCheck.check(in -> Pointwise.silu(Pointwise.mul(Pointwise.log(in[0]), Pointwise.tanh(Pointwise.sub(in[1], Pointwise.rsqrt(in[0]))))),
                a, b);
    }

    // ---------------------------------------------------------------- in place

    @Test
    void inPlaceHelpersUpdateTheDestinationWithoutRecording() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor dst = uniform(61, dtype, -1, 1, 4, 6);
            double[] before = dst.toDoubleArray();
            Tensor src = uniform(62, dtype, -1, 1, 4, 6).requiresGrad(true);
            Pointwise.addInPlace(dst, src, -0.5);
            assertClose(dst.toDoubleArray(), OpOracle.binary(Tensor.of(DType.F64, before, 4, 6), src, new int[] {4, 6}, (d, s) -> d - 0.5 * s), 1e-7);
            assertThat(dst.requiresGrad()).isFalse();
            double[] mid = dst.toDoubleArray();
            Tensor row = uniform(63, dtype, -1, 1, 6);
            Pointwise.addInPlace(dst, row);
            assertClose(dst.toDoubleArray(), OpOracle.binary(Tensor.of(DType.F64, mid, 4, 6), row, new int[] {4, 6}, Double::sum), 1e-7);
            double[] last = dst.toDoubleArray();
            Tensor view = dst.transpose(0, 1);
            Pointwise.mulInPlace(view, 3);
            assertClose(dst.toDoubleArray(), OpOracle.unary(Tensor.of(DType.F64, last, 4, 6), v -> 3 * v), 1e-7);
        }
    }
}
