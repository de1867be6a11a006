package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.GradCheck;
import dev.fusedit.tensor.autograd.GradMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class ConvTest {

    private static Tensor grad(long seed, int... shape) {
        return GradCheck.random(seed, shape).requiresGrad(true);
    }

    /** The definition: out[b,o,y,x] = bias[o] + Σ_{c,i,j} w[o,c,i,j]·x[b,c,y·s−p+i, x·s−p+j] (zero outside). */
    private static double naiveConv(Tensor x, Tensor w, Tensor bias, int stride, int pad, int b, int o, int oy, int ox) {
        double acc = bias == null ? 0 : bias.get(o);
        for (int c = 0; c < x.size(1); c++)
            for (int i = 0; i < w.size(2); i++)
                for (int j = 0; j < w.size(3); j++) {
                    int y = oy * stride - pad + i, xx = ox * stride - pad + j;
                    if (y >= 0 && y < x.size(2) && xx >= 0 && xx < x.size(3)) acc += w.get(o, c, i, j) * x.get(b, c, y, xx);
                }
        return acc;
    }

    @Test
    void conv2dMatchesTheDefinitionWithStrideAndPadding() {
        Tensor x = GradCheck.random(1, 2, 3, 7, 5), w = GradCheck.random(2, 4, 3, 3, 2), bias = GradCheck.random(3, 4);
        for (int[] sp : new int[][] {{1, 0}, {2, 1}, {3, 2}}) {
            Tensor y = Conv.conv2d(x, w, bias, sp[0], sp[1]);
            int ho = (7 + 2 * sp[1] - 3) / sp[0] + 1, wo = (5 + 2 * sp[1] - 2) / sp[0] + 1;
            assertThat(y.shape()).containsExactly(2, 4, ho, wo);
            for (int b = 0; b < 2; b++)
                for (int o = 0; o < 4; o++)
                    for (int oy = 0; oy < ho; oy++)
                        for (int ox = 0; ox < wo; ox++)
                            assertThat(y.get(b, o, oy, ox)).isCloseTo(naiveConv(x, w, bias, sp[0], sp[1], b, o, oy, ox), offset(1e-12));
        }
    }

    @Test
    void inferenceConvolvesInBandsOfRowsWithTheSameResult() {
        for (int[] sp : new int[][] {{1, 1}, {2, 1}, {1, 0}, {2, 0}}) {
            Tensor x = GradCheck.random(11, 2, 3, 9, 7), w = GradCheck.random(12, 5, 3, 3, 3), bias = GradCheck.random(13, 5);
            double[] whole = Conv.conv2d(x, w, bias, sp[0], sp[1]).toDoubleArray();
            for (long bandBytes : new long[] {1, 3 * 27 * 8, 1L << 40}) {
                double[] banded;
                try (GradMode ignored = GradMode.noGrad()) {
                    banded = Conv.conv2d(x, w, bias, sp[0], sp[1], bandBytes).toDoubleArray();
                }
                assertThat(banded).as("stride %d padding %d band %d bytes", sp[0], sp[1], bandBytes).containsExactly(whole);
            }
        }
        // float32 runs the vector GEMM, whose blocking may differ with the band width: equal to rounding
        Tensor x = GradCheck.random(14, 1, 16, 33, 31).to(DType.F32), w = GradCheck.random(15, 8, 16, 3, 3).to(DType.F32);
        double[] whole = Conv.conv2d(x, w, null, 1, 1).toDoubleArray(), banded;
        try (GradMode ignored = GradMode.noGrad()) {
            banded = Conv.conv2d(x, w, null, 1, 1, 16 * 9 * 31 * 4 * 5).toDoubleArray();
        }
        for (int i = 0; i < whole.length; i++) assertThat(banded[i]).isCloseTo(whole[i], offset(1e-4 * (1 + Math.abs(whole[i]))));
    }

    @Test
    void conv2dGradients() {
        GradCheck.check(t -> Conv.conv2d(t[0], t[1], t[2], 2, 1), grad(1, 2, 3, 7, 5), grad(2, 4, 3, 3, 3), grad(3, 4));
        // non-contiguous input, no bias, patchify-style stride = kernel
        GradCheck.check(t -> Conv.conv2d(t[0].transpose(2, 3), t[1], null, 2, 0), grad(4, 1, 2, 5, 4), grad(5, 3, 2, 2, 2));
        assertThatThrownBy(() -> Conv.conv2d(GradCheck.random(1, 1, 2, 2, 2), GradCheck.random(2, 1, 2, 3, 3), null, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> Conv.conv2d(GradCheck.random(1, 1, 2, 4, 4), GradCheck.random(2, 1, 3, 3, 3), null, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[out, 2, kh, kw]");
    }

    @Test
    void groupNormMatchesTheDefinitionAndItsGradients() {
        int B = 2, C = 6, G = 3;
        Tensor x = GradCheck.random(1, B, C, 3, 2), w = GradCheck.random(2, C), bias = GradCheck.random(3, C);
        double eps = 1e-5;
        Tensor y = Conv.groupNorm(x, G, w, bias, eps);
        for (int b = 0; b < B; b++)
            for (int g = 0; g < G; g++) {
                double sum = 0, sq = 0;
                int n = 0;
                for (int c = g * 2; c < g * 2 + 2; c++)
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 2; j++) { sum += x.get(b, c, i, j); n++; }
                double mean = sum / n;
                for (int c = g * 2; c < g * 2 + 2; c++)
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 2; j++) sq += Math.pow(x.get(b, c, i, j) - mean, 2);
                double std = Math.sqrt(sq / n + eps);
                for (int c = g * 2; c < g * 2 + 2; c++)
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 2; j++)
                            assertThat(y.get(b, c, i, j)).isCloseTo((x.get(b, c, i, j) - mean) / std * w.get(c) + bias.get(c), offset(1e-12));
            }
        GradCheck.check(t -> Conv.groupNorm(t[0], G, t[1], t[2], 1e-5), grad(4, B, C, 3, 2), grad(5, C), grad(6, C));
        GradCheck.check(t -> Conv.groupNorm(t[0].transpose(2, 3), 2, null, null, 1e-5), grad(7, 1, 4, 3, 5));
        GradCheck.check(t -> Conv.groupNorm(t[0], 1, t[1], null, 1e-5), grad(8, 2, 3, 4), grad(9, 3));
        assertThatThrownBy(() -> Conv.groupNorm(x, 4, null, null, eps)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 groups");
    }

    @Test
    void upsampleNearestRepeatsPixelsAndSumsBlocksBackward() {
        Tensor x = GradCheck.random(1, 2, 3, 3, 2);
        Tensor y = Conv.upsampleNearest(x, 3);
        assertThat(y.shape()).containsExactly(2, 3, 9, 6);
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 9; i++)
                    for (int j = 0; j < 6; j++) assertThat(y.get(b, c, i, j)).isEqualTo(x.get(b, c, i / 3, j / 3));
        GradCheck.check(t -> Conv.upsampleNearest(t[0], 2), grad(2, 2, 3, 3, 2));
        GradCheck.check(t -> Conv.upsampleNearest(t[0].transpose(2, 3), 3), grad(3, 1, 2, 2, 3));
    }
}
