package dev.fusedit.model.fusedit;

import dev.fusedit.layers.RopeTables;
import dev.fusedit.model.gemma.Masks;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Where tokens sit (RoPE positions) and what they may see (additive masks) in the fused
 * sequence [text (L) ; image (N)], docs/reference.md#positions and #attention-mask.
 */
public final class FusionLayout {
    private FusionLayout() {}

    /** Real tokens per sample (BOS included) of a right-padded 1/0 attention mask. */
    public static int[] realTokens(int[][] attentionMask) {
        int[] n = new int[attentionMask.length];
        for (int b = 0; b < n.length; b++)
            for (int v : attentionMask[b]) {
                if (v != 0 && v != 1) throw new IllegalArgumentException("attention_mask must hold 0 and 1, got " + v);
                n[b] += v;
            }
        return n;
    }

    /** Text RoPE [1, L, D]: positions 0..L−1, padding slots included, full-width table. */
    public static RopeTables.CosSin textRope(int len, int headDim, double theta) {
        int[][] positions = new int[1][len];
        for (int i = 0; i < len; i++) positions[0][i] = i;
        return RopeTables.oneD(positions, headDim, theta);
    }

    /**
     * Image RoPE [B, h·w, D] for token (r, c) = (k / w, k % w), shifted by offset[b]: FuseDiT's
     * self-attention variants place the image after the offset[b] = n real text tokens (so 2D and
     * M-RoPE use rows n + r, columns n + c, and 1D uses n + k); cross attention and the shallow
     * DiT use offset 0. Null for APE.
     */
    public static RopeTables.CosSin imageRope(FuseDiTConfig c, int h, int w, int[] offset) {
        if (c.posEmbed() == FuseDiTConfig.PosEmbed.APE) return null;
        // samples with the same offset share a table: compute each distinct one once, then copy
        int[] distinct = Arrays.stream(offset).distinct().toArray();
        RopeTables.CosSin few = imageRopeOf(c, h, w, distinct);
        if (distinct.length == offset.length) return few;
        int batch = offset.length, n = h * w, d = c.base().headDim();
        long rowBytes = (long) n * d * Float.BYTES;
        Tensor cos = Tensor.empty(DType.F32, batch, n, d), sin = Tensor.empty(DType.F32, batch, n, d);
        for (int b = 0; b < batch; b++) {
            int slot = indexOf(distinct, offset[b]);
            MemorySegment.copy(few.cos().data(), slot * rowBytes, cos.data(), b * rowBytes, rowBytes);
            MemorySegment.copy(few.sin().data(), slot * rowBytes, sin.data(), b * rowBytes, rowBytes);
        }
        return new RopeTables.CosSin(cos, sin);
    }

    private static int indexOf(int[] values, int v) {
        for (int i = 0; i < values.length; i++) if (values[i] == v) return i;
        throw new IllegalStateException("offset " + v + " missing from its distinct values");
    }

    private static RopeTables.CosSin imageRopeOf(FuseDiTConfig c, int h, int w, int[] offset) {
        int batch = offset.length, n = h * w, d = c.base().headDim();
        double theta = c.base().ropeTheta();
        int[][] rows = new int[batch][n], cols = new int[batch][n], seq = new int[batch][n];
        for (int b = 0; b < batch; b++)
            for (int k = 0; k < n; k++) {
                rows[b][k] = offset[b] + k / w;
                cols[b][k] = offset[b] + k % w;
                seq[b][k] = offset[b] + k;
            }
        return switch (c.posEmbed()) {
            case APE -> null;
            case ROPE_1D -> RopeTables.oneD(seq, d, theta);
            case ROPE_2D -> RopeTables.twoD(rows, cols, d, theta);
            case M_ROPE -> RopeTables.multimodal(rows, cols, d, theta);
        };
    }

    /**
     * The image rows' additive mask: [B, N, L+N] when the image attends over [text ; image]
     * (joint), else [B, N, L]. Padded text columns are blocked (float32 min, as the reference);
     * real text tokens and every image token are visible.
     */
    public static Tensor imageRowsMask(int[][] attentionMask, int imageTokens, boolean joint) {
        int batch = attentionMask.length, len = attentionMask[0].length, cols = joint ? len + imageTokens : len;
        Tensor mask = Tensor.zeros(DType.F32, batch, imageTokens, cols);
        MemorySegment m = mask.data();
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < len; j++)
                if (attentionMask[b][j] == 0)
                    for (int i = 0; i < imageTokens; i++) m.setAtIndex(ValueLayout.JAVA_FLOAT, ((long) b * imageTokens + i) * cols + j, Masks.BLOCKED);
        return mask;
    }
}
