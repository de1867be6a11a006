package dev.fusedit.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** VectorMath's exp, exp2, onePlusExp2 and tanh against java.lang.Math, over their whole useful range and edge values. */
class VectorMathKernelsTest {
    private static final int L = VectorWidth.F.length();

    private static float[] apply(float[] x, boolean exp) {
        return apply(x, exp ? VectorMath::exp : VectorMath::tanh);
    }

    private static float[] apply(float[] x, UnaryOperator<FloatVector> f) {
        float[] out = new float[x.length];
        for (int i = 0; i + L <= x.length; i += L) f.apply(FloatVector.fromArray(VectorWidth.F, x, i)).intoArray(out, i);
        return out;
    }

    private static float[] samples(double lo, double hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[L * 4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(lo, hi);
        return x;
    }

    @Test
    void expIsWithinTwoUlpAndHandlesTheEnds() {
        float[] x = samples(-87, 88, 1);
        float[] y = apply(x, true);
        for (int i = 0; i < x.length; i++) {
            double want = Math.exp(x[i]);
            assertThat(Math.abs(y[i] - want)).as("exp(%s)", x[i]).isLessThanOrEqualTo(2 * Math.ulp((float) want));
        }
        float[] edges = new float[L];
        float[] values = {0f, -0f, -1e30f, -Float.MAX_VALUE, -100f, 1f, -1f, 0.5f};
        for (int i = 0; i < L; i++) edges[i] = values[i % values.length];
        float[] e = apply(edges, true);
        for (int i = 0; i < L; i++) {
            if (edges[i] < -87.4f) assertThat(e[i]).isZero();
            else assertThat(Math.abs(e[i] - Math.exp(edges[i]))).isLessThanOrEqualTo(2 * Math.ulp((float) Math.exp(edges[i])));
        }
    }

    @Test
    void expIsExactlyOneAtZero() {
        float[] zeros = new float[L];
        assertThat(apply(zeros, true)).containsOnly(1f);
        assertThat(apply(zeros, VectorMath::exp2)).containsOnly(1f);
        assertThat(apply(zeros, VectorMath::onePlusExp2)).containsOnly(2f);
    }

    @Test
    void exp2IsWithinOneAndAHalfUlpAndHandlesTheEnds() {
        for (double[] range : new double[][] {{-126, 127}, {-1, 1}}) {
            float[] t = samples(range[0], range[1], 3);
            float[] y = apply(t, VectorMath::exp2);
            float[] y1 = apply(t, VectorMath::onePlusExp2);
            for (int i = 0; i < t.length; i++) {
                double want = Math.pow(2, t[i]);
                assertThat(Math.abs(y[i] - want)).as("exp2(%s)", t[i]).isLessThanOrEqualTo(1.5 * Math.ulp((float) want));
                assertThat(Math.abs(y1[i] - (1 + want))).as("onePlusExp2(%s)", t[i]).isLessThanOrEqualTo(2 * Math.ulp((float) (1 + want)));
            }
        }
        float[] edges = new float[L];
        float[] values = {0f, -126f, -126.5f, -1e30f, Float.NEGATIVE_INFINITY, 127f, 1e30f, Float.NaN};
        for (int i = 0; i < L; i++) edges[i] = values[i % values.length];
        float[] e = apply(edges, VectorMath::exp2), e1 = apply(edges, VectorMath::onePlusExp2);
        for (int i = 0; i < L; i++) {
            float t = edges[i];
            if (Float.isNaN(t)) {
                assertThat(e[i]).isNaN();
                assertThat(e1[i]).isNaN();
            } else if (t <= -126.5f) { // n = −127: 2^n built from the bits is 0
                assertThat(e[i]).isZero();
                assertThat(e1[i]).isEqualTo(1f);
            } else {
                // 2^127 and beyond: clamped, finite
                double want = Math.pow(2, Math.min(t, 127f));
                assertThat(Math.abs(e[i] - want)).as("exp2(%s)", t).isLessThanOrEqualTo(1.5 * Math.ulp((float) want));
                assertThat(e1[i]).isEqualTo(e[i] + 1f);
            }
        }
    }

    @Test
    void exp2NonPositiveIsWithinTwoAndAHalfUlpAndHandlesTheLowEnd() {
        // softmax's exponents: at most a rounding above 0, down to masked entries (-inf)
        for (double[] range : new double[][] {{-126, 1e-5}, {-1, 1e-5}}) {
            float[] t = samples(range[0], range[1], 4);
            float[] y = apply(t, VectorMath::exp2NonPositive);
            for (int i = 0; i < t.length; i++) {
                double want = Math.pow(2, t[i]);
                assertThat(Math.abs(y[i] - want)).as("exp2NonPositive(%s)", t[i]).isLessThanOrEqualTo(2.5 * Math.ulp((float) want));
            }
        }
        float[] edges = new float[L];
        float[] values = {0f, -0f, -126.5f, -127f, -1e30f, Float.NEGATIVE_INFINITY, Float.NaN, -3f};
        for (int i = 0; i < L; i++) edges[i] = values[i % values.length];
        float[] e = apply(edges, VectorMath::exp2NonPositive);
        for (int i = 0; i < L; i++) {
            float t = edges[i];
            if (Float.isNaN(t)) assertThat(e[i]).isNaN();
            else if (t <= -126.5f) assertThat(e[i]).isZero();
            else assertThat(e[i]).isEqualTo((float) Math.pow(2, t)); // 1 and 1/8 exactly
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
