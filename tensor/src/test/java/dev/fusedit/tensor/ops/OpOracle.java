package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;

import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test-side reference computations that share no code with the ops: elements are read one at a
 * time with {@link Tensor#get}, broadcasting and reductions are done with explicit index arithmetic.
 */
final class OpOracle {
    private OpOracle() {}

    /** Values uniform in [lo, hi) (use a positive range for log, sqrt, fractional powers). */
    static Tensor uniform(long seed, DType dtype, double lo, double hi, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(lo, hi);
        return Tensor.of(dtype, v, shape);
    }

    /** Values in ±[margin, 2], none within {@code margin} of the kink at 0. */
    static Tensor awayFromZero(long seed, double margin, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (r.nextBoolean() ? 1 : -1) * r.nextDouble(margin, 2);
        return Tensor.of(DType.F64, v, shape);
    }

    /** Every multi-index of {@code shape} in row-major order. */
    static int[][] indices(int[] shape) {
        int n = (int) Tensor.numel(shape);
        int[][] out = new int[n][];
        int[] idx = new int[shape.length];
        for (int i = 0; i < n; i++) {
            out[i] = idx.clone();
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    /** The index into a tensor of {@code shape} that broadcasting maps output index {@code idx} to. */
    static int[] broadcastIndex(int[] idx, int[] shape) {
        int lead = idx.length - shape.length;
        int[] out = new int[shape.length];
        for (int d = 0; d < shape.length; d++) out[d] = shape[d] == 1 ? 0 : idx[d + lead];
        return out;
    }

    static double[] unary(Tensor a, DoubleUnaryOperator f) {
        int[][] all = indices(a.shape());
        double[] out = new double[all.length];
        for (int i = 0; i < all.length; i++) out[i] = f.applyAsDouble(a.get(all[i]));
        return out;
    }

    static double[] binary(Tensor a, Tensor b, int[] outShape, DoubleBinaryOperator f) {
        int[][] all = indices(outShape);
        double[] out = new double[all.length];
        for (int i = 0; i < all.length; i++)
            out[i] = f.applyAsDouble(a.get(broadcastIndex(all[i], a.shape())), b.get(broadcastIndex(all[i], b.shape())));
        return out;
    }

    static void assertClose(double[] actual, double[] expected, double tol) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(expected[i])) {
                assertThat(actual[i]).as("element %d", i).isNaN();
                continue;
            }
            double err = Math.abs(actual[i] - expected[i]);
            if (err > tol * (1 + Math.abs(expected[i])))
                throw new AssertionError("element " + i + ": got " + actual[i] + ", expected " + expected[i] + " (tolerance " + tol + ")");
        }
    }
}
