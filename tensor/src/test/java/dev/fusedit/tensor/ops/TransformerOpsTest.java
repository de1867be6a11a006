package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.GradCheck;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransformerOpsTest {

    private static void assertClose(double[] actual, double[] expected, double tol) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++)
            assertThat(Math.abs(actual[i] - expected[i])).as("element " + i + ": " + actual[i] + " vs " + expected[i])
                    .isLessThanOrEqualTo(tol * (1 + Math.abs(expected[i])));
    }

    private static Tensor grad(long seed, int... shape) {
        return GradCheck.random(seed, shape).requiresGrad(true);
    }

    // ---------------------------------------------------------------- softmax

    @Test
    void softmaxAndLogSoftmaxOverAMiddleDimension() {
        Tensor x = GradCheck.random(1, 2, 5, 3);
        double[] s = TransformerOps.softmax(x, 1).toDoubleArray(), ls = TransformerOps.logSoftmax(x, 1).toDoubleArray();
        double[] expected = new double[30];
        for (int b = 0; b < 2; b++)
            for (int j = 0; j < 3; j++) {
                double sum = 0;
                for (int i = 0; i < 5; i++) sum += Math.exp(x.get(b, i, j));
                for (int i = 0; i < 5; i++) expected[(b * 5 + i) * 3 + j] = Math.exp(x.get(b, i, j)) / sum;
            }
        assertClose(s, expected, 1e-13);
        for (int i = 0; i < 30; i++) assertThat(ls[i]).isCloseTo(Math.log(expected[i]), org.assertj.core.data.Offset.offset(1e-12));

        GradCheck.check(t -> TransformerOps.softmax(t[0], 1), grad(2, 2, 5, 3));
        GradCheck.check(t -> TransformerOps.softmax(t[0], -1), grad(3, 3, 4));
        GradCheck.check(t -> TransformerOps.logSoftmax(t[0], 0), grad(4, 4, 3));
        GradCheck.check(t -> TransformerOps.logSoftmax(t[0].transpose(0, 1), -1), grad(5, 5, 2));   // non-contiguous input
    }

    @Test
    void crossEntropyIsTheMeanNegativeLogLikelihoodOfTheKeptTargets() {
        Tensor x = GradCheck.random(6, 4, 7);
        long[] targets = {3, -1, 0, 6};
        double expected = 0;
        for (int n : new int[] {0, 2, 3}) {
            double sum = 0;
            for (int v = 0; v < 7; v++) sum += Math.exp(x.get(n, v));
            expected -= x.get(n, (int) targets[n]) - Math.log(sum);
        }
        assertThat(TransformerOps.crossEntropy(x, targets).item()).isCloseTo(expected / 3, org.assertj.core.data.Offset.offset(1e-12));
        GradCheck.check(t -> TransformerOps.crossEntropy(t[0], targets), grad(7, 4, 7));
        assertThat(TransformerOps.crossEntropy(x, new long[] {-1, -1, -1, -1}).item()).isZero();
        assertThatThrownBy(() -> TransformerOps.crossEntropy(x, new long[] {0, 7, 0, 0})).hasMessageContaining("target 7 at row 1");
        assertThatThrownBy(() -> TransformerOps.crossEntropy(x, new long[] {0})).hasMessageContaining("one target per row");
    }

    @Test
    void softmaxIsStableForHugeLogits() {
        Tensor x = Tensor.of(new float[] {1000f, 1000f, -1000f, 3000f, 2999f, 0f}, 2, 3);
        double[] s = TransformerOps.softmax(x, 1).toDoubleArray();
        double[] ls = TransformerOps.logSoftmax(x, 1).toDoubleArray();
        assertThat(s[0]).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(s[3]).isCloseTo(1 / (1 + Math.exp(-1)), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(ls[2]).isCloseTo(-2000 - Math.log(2), org.assertj.core.data.Offset.offset(1e-3));   // exp would underflow to 0
    }

    // ---------------------------------------------------------------- GELU

    @Test
    void erfMatchesANumericalIntegral() {
        for (double x = -6.5; x <= 6.5; x += 0.37) {
            // erf(x) = 2/√π ∫₀ˣ e^(−t²) dt by composite Simpson with 4000 panels
            int n = 4000;
            double h = x / n, sum = 0;
            for (int i = 0; i <= n; i++) {
                double w = i == 0 || i == n ? 1 : (i % 2 == 1 ? 4 : 2);
                sum += w * Math.exp(-(i * h) * (i * h));
            }
            double integral = 2 / Math.sqrt(Math.PI) * sum * h / 3;
            assertThat(Erf.erf(x)).as("erf(" + x + ")").isCloseTo(integral, org.assertj.core.data.Offset.offset(1e-13));
        }
    }

    @Test
    void geluVariantsMatchTheirFormulasAndGradients() {
        Tensor x = GradCheck.random(1, 3, 7);
        double[] xs = x.toDoubleArray(), tanhGelu = TransformerOps.geluTanh(x).toDoubleArray(), exact = TransformerOps.geluExact(x).toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i];
            assertThat(tanhGelu[i]).isCloseTo(0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))), org.assertj.core.data.Offset.offset(1e-14));
            // x·Φ(x) with Φ by the same Simpson integral of the normal density from 0
            int n = 2000;
            double h = v / n, sum = 0;
            for (int k = 0; k <= n; k++) sum += (k == 0 || k == n ? 1 : (k % 2 == 1 ? 4 : 2)) * Math.exp(-0.5 * (k * h) * (k * h));
            double phi = 0.5 + sum * h / 3 / Math.sqrt(2 * Math.PI);
            assertThat(exact[i]).isCloseTo(v * phi, org.assertj.core.data.Offset.offset(1e-12));
        }
        GradCheck.check(t -> TransformerOps.geluTanh(t[0]), grad(2, 3, 5));
        GradCheck.check(t -> TransformerOps.geluExact(t[0].transpose(0, 1)), grad(3, 5, 3));
    }

    @Test
    void gegluMatchesGeluTimesUpAndItsGradients() {
        Tensor gate = GradCheck.random(1, 2, 9), up = GradCheck.random(2, 2, 9);
        double[] y = TransformerOps.geglu(gate, up).toDoubleArray(), g = gate.toDoubleArray(), u = up.toDoubleArray();
        for (int i = 0; i < y.length; i++)
            assertThat(y[i]).isCloseTo(0.5 * g[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g[i] + 0.044715 * g[i] * g[i] * g[i]))) * u[i],
                    org.assertj.core.data.Offset.offset(1e-14));
        GradCheck.check(t -> TransformerOps.geglu(t[0], t[1].transpose(0, 1)), grad(3, 2, 9), grad(4, 9, 2));
        assertThatThrownBy(() -> TransformerOps.geglu(gate, GradCheck.random(5, 9, 2))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one shape");
    }

    // ---------------------------------------------------------------- RMSNorm

    @Test
    void rmsNormWithGemmaOffsetAndWithoutWeight() {
        Tensor x = GradCheck.random(1, 2, 3, 7), w = GradCheck.random(2, 7);
        double eps = 1e-6;
        double[] y = TransformerOps.rmsNorm(x, w, eps, 1).toDoubleArray(), xs = x.toDoubleArray(), ws = w.toDoubleArray();
        for (int r = 0; r < 6; r++) {
            double ms = 0;
            for (int d = 0; d < 7; d++) ms += xs[r * 7 + d] * xs[r * 7 + d] / 7;
            for (int d = 0; d < 7; d++)
                assertThat(y[r * 7 + d]).isCloseTo(xs[r * 7 + d] / Math.sqrt(ms + (float) eps) * (1 + ws[d]), org.assertj.core.data.Offset.offset(1e-12));
        }
        GradCheck.check(t -> TransformerOps.rmsNorm(t[0], t[1], 1e-5, 1), grad(3, 2, 3, 7), grad(4, 7));
        GradCheck.check(t -> TransformerOps.rmsNorm(t[0].transpose(0, 1), null, 1e-5, 0), grad(5, 5, 3));
        assertThatThrownBy(() -> TransformerOps.rmsNorm(x, GradCheck.random(6, 6), eps, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[7]");
    }

    // ---------------------------------------------------------------- RoPE

    /** cos/sin [batches, seq, dim] from cat(freqs, freqs) with the usual inverse frequencies. */
    private static Tensor[] rotary(int batches, int seq, int dim, double base) {
        Tensor cos = Tensor.zeros(DType.F64, batches, seq, dim), sin = Tensor.zeros(DType.F64, batches, seq, dim);
        for (int b = 0; b < batches; b++)
            for (int t = 0; t < seq; t++)
                for (int d = 0; d < dim; d++) {
                    double angle = (t + 3 * b) * Math.pow(base, -2.0 * (d % (dim / 2)) / dim);
                    cos.set(Math.cos(angle), b, t, d);
                    sin.set(Math.sin(angle), b, t, d);
                }
        return new Tensor[] {cos, sin};
    }

    @Test
    void ropeRotatesPairsAndItsGradientIsTheInverseRotation() {
        int B = 2, S = 3, H = 2, D = 6;
        Tensor x = GradCheck.random(1, B, S, H, D);
        Tensor[] cs = rotary(B, S, D, 10000);
        double[] y = TransformerOps.rope(x, cs[0], cs[1]).toDoubleArray();
        int half = D / 2;
        for (int b = 0; b < B; b++)
            for (int t = 0; t < S; t++)
                for (int h = 0; h < H; h++)
                    for (int d = 0; d < D; d++) {
                        // rotate_half(x) = cat(−x2, x1); y = x·cos + rotate_half(x)·sin
                        double rotated = d < half ? -x.get(b, t, h, d + half) : x.get(b, t, h, d - half);
                        double expected = x.get(b, t, h, d) * cs[0].get(b, t, d) + rotated * cs[1].get(b, t, d);
                        assertThat(y[((b * S + t) * H + h) * D + d]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
                    }
        GradCheck.check(t -> TransformerOps.rope(t[0], cs[0], cs[1]), grad(2, B, S, H, D));
        Tensor[] shared = rotary(1, S, D, 100);
        GradCheck.check(t -> TransformerOps.rope(t[0].transpose(1, 2), shared[0], shared[1]), grad(3, B, H, S, D));
        assertThatThrownBy(() -> TransformerOps.rope(x, GradCheck.random(4, 1, S, D), GradCheck.random(5, 1, S, D)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first half");
    }

    // ---------------------------------------------------------------- attention

    /** softmax(scale·q·kᵀ capped + mask)·v, head h reading kv head h / (H / Hkv). */
    private static double[] naiveAttention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, double cap) {
        int B = q.size(0), Sq = q.size(1), H = q.size(2), D = q.size(3), Skv = k.size(1), group = H / k.size(2);
        double[] out = new double[B * Sq * H * D];
        for (int b = 0; b < B; b++)
            for (int h = 0; h < H; h++)
                for (int i = 0; i < Sq; i++) {
                    double[] logits = new double[Skv];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < Skv; j++) {
                        double dot = 0;
                        for (int d = 0; d < D; d++) dot += q.get(b, i, h, d) * k.get(b, j, h / group, d);
                        double z = scale * dot;
                        if (cap > 0) z = cap * Math.tanh(z / cap);
                        if (mask != null) z += mask.get(mask.size(0) == 1 ? 0 : b, i, j);
                        logits[j] = z;
                        max = Math.max(max, z);
                    }
                    double sum = 0;
                    for (int j = 0; j < Skv; j++) sum += logits[j] = Math.exp(logits[j] - max);
                    for (int d = 0; d < D; d++) {
                        double acc = 0;
                        for (int j = 0; j < Skv; j++) acc += logits[j] / sum * v.get(b, j, h / group, d);
                        out[((b * Sq + i) * H + h) * D + d] = acc;
                    }
                }
        return out;
    }

    private static Tensor causalMask(int batches, int sq, int skv) {
        Tensor m = Tensor.zeros(DType.F64, batches, sq, skv);
        for (int b = 0; b < batches; b++)
            for (int i = 0; i < sq; i++)
                for (int j = 0; j < skv; j++) if (j > i + (skv - sq) - b) m.set(-1e9, b, i, j);
        return m;
    }

    @Test
    void attentionWithGroupedHeadsMaskAndSoftCap() {
        int B = 2, Sq = 3, Skv = 4, H = 4, Hkv = 2, D = 3;
        Tensor q = GradCheck.random(1, B, Sq, H, D), k = GradCheck.random(2, B, Skv, Hkv, D), v = GradCheck.random(3, B, Skv, Hkv, D);
        Tensor mask = causalMask(B, Sq, Skv);
        assertClose(TransformerOps.scaledDotProductAttention(q, k, v, mask, 0.5, 0).toDoubleArray(), naiveAttention(q, k, v, mask, 0.5, 0), 1e-12);
        assertClose(TransformerOps.scaledDotProductAttention(q, k, v, null, 0.7, 1.5).toDoubleArray(), naiveAttention(q, k, v, null, 0.7f, 1.5), 1e-7);

        assertClose(TransformerOps.scaledDotProductAttention(q, k, v, mask).toDoubleArray(), naiveAttention(q, k, v, mask, (float) (1 / Math.sqrt(D)), 0), 1e-7);
        GradCheck.check(t -> TransformerOps.scaledDotProductAttention(t[0], t[1], t[2], mask, 0.5, 0),
                grad(4, B, Sq, H, D), grad(5, B, Skv, Hkv, D), grad(6, B, Skv, Hkv, D));
        Tensor sharedMask = causalMask(1, Sq, Skv);
        GradCheck.check(t -> TransformerOps.scaledDotProductAttention(t[0].transpose(1, 2), t[1], t[2], sharedMask, 0.7, 1.5),
                grad(7, B, H, Sq, D), grad(8, B, Skv, Hkv, D), grad(9, B, Skv, Hkv, D));
        assertThatThrownBy(() -> TransformerOps.scaledDotProductAttention(q, k, v, GradCheck.random(1, 3, Sq, Skv), 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask");
    }

    // ---------------------------------------------------------------- embedding

    @Test
    void embeddingGathersRowsAndScatterAddsGradients() {
        Tensor table = GradCheck.random(1, 5, 3);
        Tensor ids = Tensor.of(DType.I64, new double[] {4, 0, 4, 2, 1, 4}, 2, 3);
        Tensor y = TransformerOps.embedding(ids, table);
        assertThat(y.shape()).containsExactly(2, 3, 3);
        for (int i = 0; i < 6; i++)
            for (int d = 0; d < 3; d++) assertThat(y.get(i / 3, i % 3, d)).isEqualTo(table.get((int) ids.get(i / 3, i % 3), d));
        GradCheck.check(t -> TransformerOps.embedding(ids, t[0]), table.requiresGrad(true));
        GradCheck.check(t -> TransformerOps.embedding(Tensor.of(DType.I32, new double[] {1, 1, 3}, 3), t[0].transpose(0, 1)), grad(2, 3, 4));
        Tensor bf16 = GradCheck.random(3, 5, 3).to(DType.BF16);
        assertThat(TransformerOps.embedding(ids, bf16).get(0, 0, 1)).isEqualTo(bf16.get(4, 1));
        assertThatThrownBy(() -> TransformerOps.embedding(Tensor.of(DType.I64, new double[] {1, 5}, 2), table))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id 5").hasMessageContaining("size 5");
        assertThatThrownBy(() -> TransformerOps.embedding(Tensor.of(DType.I64, new double[] {-1}, 1), table))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id -1");
    }
}
