package dev.fusedit.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** VectorMath's exp and tanh against java.lang.Math, over their whole useful range and edge values. */
class VectorMathKernelsTest {
    private static final int L = VectorWidth.F.length();

    private static float[] apply(float[] x, boolean exp) {
        float[] out = new float[x.length];
        for (int i = 0; i + L <= x.length; i += L) {
            FloatVector v = FloatVector.fromArray(VectorWidth.F, x, i);
            (exp ? VectorMath.exp(v) : VectorMath.tanh(v)).intoArray(out, i);
        }
        return out;
    }

    private static float[] samples(double lo, double hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[L * 4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(lo, hi);
        return x;
    }

    @Test
    void expIsWithinThreeUlpAndHandlesTheEnds() {
        float[] x = samples(-87, 88, 1);
        float[] y = apply(x, true);
        for (int i = 0; i < x.length; i++) {
            double want = Math.exp(x[i]);
            assertThat(Math.abs(y[i] - want)).as("exp(%s)", x[i]).isLessThanOrEqualTo(3 * Math.ulp((float) want));
        }
        float[] edges = new float[L];
        float[] values = {0f, -0f, -1e30f, -Float.MAX_VALUE, -100f, 1f, -1f, 0.5f};
        for (int i = 0; i < L; i++) edges[i] = values[i % values.length];
        float[] e = apply(edges, true);
        for (int i = 0; i < L; i++) {
            if (edges[i] < -87.4f) assertThat(e[i]).isZero();
            else assertThat(Math.abs(e[i] - Math.exp(edges[i]))).isLessThanOrEqualTo(3 * Math.ulp((float) Math.exp(edges[i])));
        }
    }

    @Test
    void tanhIsAccurateNearZeroAndSaturates() {
        for (double[] range : new double[][] {{-0.3, 0.3}, {-12, 12}}) {
            float[] x = samples(range[0], range[1], 2);
            float[] y = apply(x, false);
            for (int i = 0; i < x.length; i++) {
                double want = Math.tanh(x[i]);
                assertThat(Math.abs(y[i] - want)).as("tanh(%s)", x[i]).isLessThanOrEqualTo(4e-7 * Math.abs(want) + 1e-45);
            }
        }
        float[] big = new float[L];
        for (int i = 0; i < L; i++) big[i] = i % 2 == 0 ? 1e30f : -Float.MAX_VALUE;
        float[] t = apply(big, false);
        for (int i = 0; i < L; i++) assertThat(t[i]).isEqualTo(i % 2 == 0 ? 1f : -1f);
    }
}
