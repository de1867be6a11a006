package dev.fusedit.layers;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.TransformerOps;

/**
 * Multi-head attention with grouped-query heads (kvHeads ≤ heads), optional RMSNorm of queries
 * and keys over head_dim (before RoPE), RoPE, an additive mask and an optional logit soft-cap.
 * The projections are public: fused models (FuseDiT) compute q, k, v of two streams and attend
 * over their concatenation. With {@code textProjections} the layer also projects a second stream
 * (the shallow DiT's embedded text) into keys and values of its own (text_k_proj / text_v_proj,
 * the reference's names; its keys share k_norm).
 *
 * <p>Children are declared in the reference DiT attention's order (q_norm, k_norm, q_proj, k_proj,
 * v_proj, text_k_proj, text_v_proj, o_proj): the order fixes the flat parameter buffer's layout
 * and the draws of a fresh initialization, which saved trainer states depend on.
 */
public final class Attention extends Module {
    public final Linear qProj, kProj, vProj, oProj, textKProj, textVProj;
    public final RmsNorm qNorm, kNorm;
    public final int heads, kvHeads, headDim;

    public Attention(int hidden, int heads, int kvHeads, int headDim, boolean bias, boolean qkNorm, double normEps) {
        this(hidden, heads, kvHeads, headDim, bias, qkNorm, normEps, false);
    }

    public Attention(int hidden, int heads, int kvHeads, int headDim, boolean bias, boolean qkNorm, double normEps, boolean textProjections) {
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " not a multiple of kv heads " + kvHeads);
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        qNorm = qkNorm ? child("q_norm", RmsNorm.gemma(headDim, normEps)) : null;
        kNorm = qkNorm ? child("k_norm", RmsNorm.gemma(headDim, normEps)) : null;
        qProj = child("q_proj", new Linear(hidden, heads * headDim, bias));
        kProj = child("k_proj", new Linear(hidden, kvHeads * headDim, bias));
        vProj = child("v_proj", new Linear(hidden, kvHeads * headDim, bias));
        textKProj = textProjections ? child("text_k_proj", new Linear(hidden, kvHeads * headDim, bias)) : null;
        textVProj = textProjections ? child("text_v_proj", new Linear(hidden, kvHeads * headDim, bias)) : null;
        oProj = child("o_proj", new Linear(heads * headDim, hidden, bias));
    }

    /** Queries [B, S, heads, headDim] of x [B, S, hidden], normed when the layer has qk-norm. */
    public Tensor queries(Tensor x) {
        Tensor q = split(qProj.forward(x), heads);
        return qNorm == null ? q : qNorm.forward(q);
    }

    /** {@link #queries(Tensor)}, then rotated by rope (none when rope is null). */
    public Tensor queries(Tensor x, RopeTables.CosSin rope) {
        return rotate(queries(x), rope);
    }

    /** Keys [B, S, kvHeads, headDim], normed when the layer has qk-norm. */
    public Tensor keys(Tensor x) {
        Tensor k = split(kProj.forward(x), kvHeads);
        return kNorm == null ? k : kNorm.forward(k);
    }

    /** {@link #keys(Tensor)}, then rotated by rope (none when rope is null). */
    public Tensor keys(Tensor x, RopeTables.CosSin rope) {
        return rotate(keys(x), rope);
    }

    public Tensor values(Tensor x) {
        return split(vProj.forward(x), kvHeads);
    }

    /** Keys [B, L, kvHeads, headDim] of the second stream (text_k_proj, then k_norm; no RoPE). */
    public Tensor textKeys(Tensor context) {
        Tensor k = split(textKProj.forward(context), kvHeads);
        return kNorm == null ? k : kNorm.forward(k);
    }

    /** Values [B, L, kvHeads, headDim] of the second stream. */
    public Tensor textValues(Tensor context) {
        return split(textVProj.forward(context), kvHeads);
    }

    /** [B, S, heads·headDim] as [B, S, heads, headDim] (a view). */
    private Tensor split(Tensor t, int h) {
        return t.reshape(t.size(0), t.size(1), h, headDim);
    }

    private static Tensor rotate(Tensor t, RopeTables.CosSin rope) {
        return rope == null ? t : TransformerOps.rope(t, rope.cos(), rope.sin());
    }

    /** Self-attention over x [B, S, hidden] with RoPE tables (or null) and a mask [1|B, S, S] (or null). */
    public Tensor forward(Tensor x, RopeTables.CosSin rope, Tensor mask, double scale, double softCap) {
        Tensor a = TransformerOps.scaledDotProductAttention(queries(x, rope), keys(x, rope), values(x), mask, scale, softCap);
        return output(a);
    }

    /** o_proj of attention output [B, S, heads, headDim]. */
    public Tensor output(Tensor attended) {
        return oProj.forward(attended.reshape(attended.size(0), attended.size(1), heads * headDim));
    }
}
