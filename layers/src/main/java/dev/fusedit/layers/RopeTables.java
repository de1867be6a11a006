package dev.fusedit.layers;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * cos/sin tables for rotary embeddings, [batch, seq, headDim], in the three layouts of the
 * reference (docs/reference.md#positions). Everything is computed as HF's GemmaRotaryEmbedding does
 * in float32 (inverse frequencies, position × frequency, cos/sin), so angles round the same way.
 */
public final class RopeTables {
    private RopeTables() {}

    /** A cos table and a sin table of the same shape. */
    public record CosSin(Tensor cos, Tensor sin) {}

    /** inv_freq_i = 1 / theta^(2i / dim), i < dim/2, in float32 as torch computes it. */
    static float[] inverseFrequencies(int dim, double theta) {
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) dim;
            inv[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
        return inv;
    }

    /** Angle of one position at one frequency, rounded like a float32 product. */
    private static float angle(int position, float inv) {
        return (float) position * inv;
    }

    /** 1D RoPE: position p[b][s] for every token; cos[d] = cos(p · inv_{d mod D/2}). */
    public static CosSin oneD(int[][] positions, int headDim, double theta) {
        float[] inv = inverseFrequencies(headDim, theta);
        return build(positions.length, positions[0].length, headDim, (b, s, d) -> angle(positions[b][s], inv[d % (headDim / 2)]));
    }

    /**
     * 2D RoPE: rows and columns each rotate a quarter of the pairs with frequencies of a
     * headDim/2 table: d in [0, D/4) row, [D/4, D/2) column, then the same again (cat(f, f)).
     */
    public static CosSin twoD(int[][] rows, int[][] cols, int headDim, double theta) {
        if (headDim % 4 != 0) throw new IllegalArgumentException("2D RoPE needs head_dim divisible by 4, got " + headDim);
        float[] inv = inverseFrequencies(headDim / 2, theta);
        int q = headDim / 4;
        return build(rows.length, rows[0].length, headDim, (b, s, d) -> {
            int j = d % (2 * q);
            return j < q ? angle(rows[b][s], inv[j]) : angle(cols[b][s], inv[j - q]);
        });
    }

    /** M-RoPE: the full headDim table of rows and of columns, chunks of D/4 alternating row, column, row, column. */
    public static CosSin multimodal(int[][] rows, int[][] cols, int headDim, double theta) {
        if (headDim % 4 != 0) throw new IllegalArgumentException("M-RoPE needs head_dim divisible by 4, got " + headDim);
        float[] inv = inverseFrequencies(headDim, theta);
        int q = headDim / 4;
        return build(rows.length, rows[0].length, headDim, (b, s, d) -> {
            int f = d % (headDim / 2);
            return (d / q) % 2 == 0 ? angle(rows[b][s], inv[f]) : angle(cols[b][s], inv[f]);
        });
    }

    @FunctionalInterface
    private interface AngleAt {
        float at(int b, int s, int d);
    }

    private static CosSin build(int batch, int seq, int dim, AngleAt angle) {
        Tensor cos = Tensor.zeros(DType.F32, batch, seq, dim), sin = Tensor.zeros(DType.F32, batch, seq, dim);
        MemorySegment c = cos.data(), s = sin.data();
        // every layout repeats its first half in the second (cat(f, f)): compute it once, copy it
        int half = dim % 2 == 0 ? dim / 2 : dim;
        long i = 0;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < seq; t++, i += dim) {
                for (int d = 0; d < half; d++) {
                    float a = angle.at(b, t, d);
                    c.setAtIndex(ValueLayout.JAVA_FLOAT, i + d, (float) Math.cos(a));
                    s.setAtIndex(ValueLayout.JAVA_FLOAT, i + d, (float) Math.sin(a));
                }
                if (half < dim) {
                    MemorySegment.copy(c, i * 4, c, (i + half) * 4, half * 4L);
                    MemorySegment.copy(s, i * 4, s, (i + half) * 4, half * 4L);
                }
            }
        return new CosSin(cos, sin);
    }
}
