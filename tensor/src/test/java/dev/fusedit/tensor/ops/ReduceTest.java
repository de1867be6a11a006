package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.fusedit.tensor.ops.OpOracle.assertClose;
import static dev.fusedit.tensor.ops.OpOracle.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReduceTest {

    /** The values of each reduced group (in row-major order of the input), one list per kept-shape output element. */
    private static List<List<Double>> groups(Tensor x, int... dims) {
        int[] shape = x.shape();
        boolean[] reduced = new boolean[shape.length];
        for (int d : dims) reduced[d < 0 ? d + shape.length : d] = true;
        int[] kept = shape.clone();
        for (int d = 0; d < kept.length; d++) if (reduced[d]) kept[d] = 1;
        List<List<Double>> out = new ArrayList<>();
        for (int i = 0; i < Tensor.numel(kept); i++) out.add(new ArrayList<>());
        for (int[] idx : OpOracle.indices(shape)) {
            int flat = 0;
            for (int d = 0; d < shape.length; d++) flat = flat * kept[d] + (reduced[d] ? 0 : idx[d]);
            out.get(flat).add(x.get(idx));
        }
        return out;
    }

    private static int[] keptShape(int[] shape, int[] dims, boolean keepdim) {
        boolean[] reduced = new boolean[shape.length];
        for (int d : dims) reduced[d < 0 ? d + shape.length : d] = true;
        return java.util.stream.IntStream.range(0, shape.length).filter(d -> keepdim || !reduced[d]).map(d -> reduced[d] ? 1 : shape[d]).toArray();
    }

    private static double sumOf(List<Double> g) { return g.stream().mapToDouble(Double::doubleValue).sum(); }
    private static double meanOf(List<Double> g) { return sumOf(g) / g.size(); }

    private static double varOf(List<Double> g, boolean unbiased) {
        double m = meanOf(g), s = 0;
        for (double v : g) s += (v - m) * (v - m);
        return s / (g.size() - (unbiased ? 1 : 0));
    }

    /** Dimension sets covering the engine's paths: last dim, first dims, a middle block, split dims, all, negative, none. */
    private static final int[][] DIM_SETS = {{2}, {0}, {0, 1}, {1}, {1, 2}, {0, 2}, {0, 1, 2}, {-1, -3}, {}};

    private static Tensor[] inputs(long seed, DType dtype) {
        Tensor contiguous = uniform(seed, dtype, -2, 2, 3, 5, 7);
        Tensor permuted = uniform(seed + 1, dtype, -2, 2, 7, 3, 5).permute(1, 2, 0);          // [3,5,7] strided
        Tensor narrowed = uniform(seed + 2, dtype, -2, 2, 4, 6, 7).narrow(0, 1, 3).narrow(1, 1, 5); // [3,5,7] strided
        Tensor withOnes = uniform(seed + 3, dtype, -2, 2, 3, 1, 7).expand(3, 5, 7);           // stride-0 dim
        return new Tensor[] {contiguous, permuted, narrowed, withOnes};
    }

    @Test
    void sumMeanMaxMinVarMatchTheGroupOracle() {
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            double tol = dtype == DType.F64 ? 1e-12 : 1e-6;
            for (Tensor x : inputs(1, dtype)) {
                for (int[] dims : DIM_SETS) {
                    List<List<Double>> gs = groups(x, dims);
                    for (boolean keepdim : new boolean[] {true, false}) {
                        int[] shape = keptShape(x.shape(), dims, keepdim);
                        String what = dtype + " dims " + Arrays.toString(dims) + " keepdim " + keepdim;
                        check(Reduce.sum(x, keepdim, dims), shape, gs.stream().mapToDouble(ReduceTest::sumOf).toArray(), tol, "sum " + what);
                        check(Reduce.mean(x, keepdim, dims), shape, gs.stream().mapToDouble(ReduceTest::meanOf).toArray(), tol, "mean " + what);
                        check(Reduce.max(x, keepdim, dims), shape, gs.stream().mapToDouble(g -> g.stream().mapToDouble(v -> v).max().orElseThrow()).toArray(), 0, "max " + what);
                        check(Reduce.min(x, keepdim, dims), shape, gs.stream().mapToDouble(g -> g.stream().mapToDouble(v -> v).min().orElseThrow()).toArray(), 0, "min " + what);
                        check(Reduce.var(x, true, keepdim, dims), shape, gs.stream().mapToDouble(g -> varOf(g, true)).toArray(), tol, "var " + what);
                        check(Reduce.var(x, false, keepdim, dims), shape, gs.stream().mapToDouble(g -> varOf(g, false)).toArray(), tol, "population var " + what);
                    }
                }
            }
        }
    }

    private static void check(Tensor actual, int[] shape, double[] expected, double tol, String what) {
        assertThat(actual.shape()).as(what).containsExactly(shape);
        try {
            assertClose(actual.toDoubleArray(), expected, tol);
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
    }

    @Test
    void wholeTensorVariantsGiveZeroDimensionalResults() {
        Tensor x = uniform(5, DType.F32, -2, 2, 4, 9).transpose(0, 1);
        List<Double> all = groups(x, 0, 1).getFirst();
        assertThat(Reduce.sum(x).shape()).isEmpty();
        assertClose(new double[] {Reduce.sum(x).item()}, new double[] {sumOf(all)}, 1e-6);
        assertClose(new double[] {Reduce.mean(x).item()}, new double[] {meanOf(all)}, 1e-6);
        assertThat(Reduce.max(x).item()).isEqualTo(all.stream().mapToDouble(v -> v).max().orElseThrow());
        assertThat(Reduce.min(x).item()).isEqualTo(all.stream().mapToDouble(v -> v).min().orElseThrow());
        assertClose(new double[] {Reduce.var(x).item()}, new double[] {varOf(all, true)}, 1e-6);
        assertClose(new double[] {Reduce.var(x, false).item()}, new double[] {varOf(all, false)}, 1e-6);
        assertThat(Reduce.var(Tensor.ones(1)).item()).as("unbiased variance of one element").isNaN();
    }

    @Test
    void float32SumsAccumulateInDouble() {
        // 1e8, a thousand ones, -1e8: a float accumulator loses every one (float spacing at 1e8 is 8)
        float[] v = new float[1002];
        java.util.Arrays.fill(v, 1);
        v[0] = 1e8f;
        v[1001] = -1e8f;
        Tensor row = Tensor.of(v, 1, 1002);
        assertThat(Reduce.sum(row, false, 1).item()).as("last-dimension loop").isEqualTo(1000);
        float[] twoColumns = new float[2 * v.length];
        for (int i = 0; i < twoColumns.length; i++) twoColumns[i] = v[i / 2];
        Tensor columns = Tensor.of(twoColumns, 1002, 2);
        assertThat(Reduce.sum(columns, false, 0).toDoubleArray()).as("leading-dimension loop").containsExactly(1000, 1000);
        assertThat(Reduce.sum(columns.transpose(0, 1), false, 1).toDoubleArray()).as("strided walk").containsExactly(1000, 1000);
    }

    @Test
    void reductionGradientsMatchFiniteDifferences() {
        int seed = 40;
        for (int[] dims : DIM_SETS) {
            Tensor contiguous = GradCheck.random(++seed, 3, 4, 5).requiresGrad(true);
            Tensor base = GradCheck.random(++seed, 5, 3, 6).requiresGrad(true);
            for (boolean keepdim : new boolean[] {true, false}) {
                try {
                    GradCheck.check(in -> Reduce.sum(in[0], keepdim, dims), contiguous);
                    GradCheck.check(in -> Reduce.mean(in[0], keepdim, dims), contiguous);
                    GradCheck.check(in -> Reduce.max(in[0], keepdim, dims), contiguous);
                    GradCheck.check(in -> Reduce.min(in[0], keepdim, dims), contiguous);
                    GradCheck.check(in -> Reduce.var(in[0], true, keepdim, dims), contiguous);
                    GradCheck.check(in -> Reduce.var(in[0], false, keepdim, dims), contiguous);
                    // strided view [3,4,5] of a [5,3,6] tensor
                    GradCheck.check(in -> Reduce.max(in[0].permute(1, 0, 2).narrow(1, 1, 4).narrow(2, 0, 5), keepdim, dims), base);
                    GradCheck.check(in -> Reduce.var(in[0].permute(1, 0, 2).narrow(1, 1, 4).narrow(2, 0, 5), true, keepdim, dims), base);
                    GradCheck.check(in -> Reduce.mean(in[0].permute(1, 0, 2).narrow(1, 1, 4).narrow(2, 0, 5), keepdim, dims), base);
                } catch (AssertionError e) {
                    throw new AssertionError("dims " + Arrays.toString(dims) + " keepdim " + keepdim + ": " + e.getMessage(), e);
                }
            }
        }
        // an upstream gradient that arrives strided (through transpose and cat backward)
        Tensor x = GradCheck.random(98, 3, 4, 5).requiresGrad(true);
        GradCheck.check(in -> Reduce.sum(in[0], true, 0).transpose(1, 2), x);
        GradCheck.check(in -> JoinSplit.cat(2, Reduce.mean(in[0], true, 2), in[0]), x);
        Tensor odd = GradCheck.random(99, 7).requiresGrad(true);
        GradCheck.check(in -> Reduce.var(in[0]), odd);
        GradCheck.check(in -> Reduce.max(in[0]), odd);
        GradCheck.check(in -> Reduce.min(in[0]), odd);
        GradCheck.check(in -> Reduce.mean(in[0]), odd);
    }

    @Test
    void maxGradientIsSharedEvenlyAmongTiedMaxima() {
        // row 0: maximum 3 appears twice; row 1: a single maximum 5
        Tensor x = Tensor.of(DType.F64, new double[] {3, 1, 3, 2, 0, 5, 4, 5, 5, -1}, 2, 5).requiresGrad(true);
        Reduce.sum(Reduce.max(x, false, 1)).backward();
        double[] expected = new double[10];
        for (int r = 0; r < 2; r++) {
            double m = Double.NEGATIVE_INFINITY;
            int count = 0;
            for (int j = 0; j < 5; j++) m = Math.max(m, x.get(r, j));
            for (int j = 0; j < 5; j++) if (x.get(r, j) == m) count++;
            for (int j = 0; j < 5; j++) expected[r * 5 + j] = x.get(r, j) == m ? 1.0 / count : 0;
        }
        assertThat(x.grad().toDoubleArray()).containsExactly(expected);
    }

    @Test
    void argmaxAndArgminPickTheFirstExtremeAlongADimension() {
        // small integers so that ties occur
        Tensor x = Pointwise.map(uniform(7, DType.F32, 0, 3, 6, 4, 5), Math::floor).permute(2, 0, 1);   // [5,6,4] strided
        for (int dim = -3; dim < 3; dim++) {
            int a = dim < 0 ? dim + 3 : dim;
            for (boolean keepdim : new boolean[] {true, false}) {
                Tensor am = Reduce.argmax(x, dim, keepdim), an = Reduce.argmin(x, dim, keepdim);
                assertThat(am.dtype()).isEqualTo(DType.I64);
                int[] shape = keptShape(x.shape(), new int[] {dim}, keepdim);
                assertThat(am.shape()).containsExactly(shape);
                assertThat(an.shape()).containsExactly(shape);
                int[] kept = keptShape(x.shape(), new int[] {dim}, true);
                double[] expMax = new double[(int) Tensor.numel(kept)], expMin = new double[expMax.length];
                int[][] outIdx = OpOracle.indices(kept);
                for (int o = 0; o < outIdx.length; o++) {
                    int[] idx = outIdx[o].clone();
                    int best = 0, worst = 0;
                    for (int j = 0; j < x.size(a); j++) {
                        idx[a] = j;
                        double v = x.get(idx);
                        idx[a] = best;
                        if (v > x.get(idx)) best = j;
                        idx[a] = worst;
                        if (v < x.get(idx)) worst = j;
                    }
                    expMax[o] = best;
                    expMin[o] = worst;
                }
                assertThat(am.toDoubleArray()).containsExactly(expMax);
                assertThat(an.toDoubleArray()).containsExactly(expMin);
            }
        }
        double[] flat = x.toDoubleArray();
        int best = 0, worst = 0;
        for (int i = 1; i < flat.length; i++) {
            if (flat[i] > flat[best]) best = i;
            if (flat[i] < flat[worst]) worst = i;
        }
        assertThat(Reduce.argmax(x).shape()).isEmpty();
        assertThat(Reduce.argmax(x).item()).isEqualTo(best);
        assertThat(Reduce.argmin(x).item()).isEqualTo(worst);
    }

    @Test
    void argmaxTreatsNaNAsLargest() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, 7, Float.NaN}, 4);
        assertThat(Reduce.argmax(x).item()).isEqualTo(1);
        assertThat(Reduce.argmin(x).item()).isEqualTo(1);
    }

    @Test
    void badDimensionsAreRejected() {
        Tensor x = Tensor.zeros(2, 3);
        assertThatThrownBy(() -> Reduce.sum(x, false, 2)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("dimension 2");
        assertThatThrownBy(() -> Reduce.max(x, false, -3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Reduce.argmax(x, 5, false)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Reduce.max(Tensor.zeros(2, 0), false, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size 0");
        assertThatThrownBy(() -> Reduce.argmin(Tensor.zeros(0, 2), 0, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size 0");
    }
}
