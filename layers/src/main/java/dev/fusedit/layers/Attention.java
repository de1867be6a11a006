package dev.fusedit.layers;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.TransformerOps;

/**
 * Multi-head attention with grouped-query heads (kvHeads ≤ heads), optional RMSNorm of queries
 * and keys over head_dim (before RoPE), RoPE, an additive mask and an optional logit soft-cap.
 * The projections are public: fused models (FuseDiT) compute q, k, v of two streams and attend
 * over their concatenation.
 */
public final class Attention extends Module {
    public final Linear qProj, kProj, vProj, oProj;
    public final RmsNorm qNorm, kNorm;
    public final int heads, kvHeads, headDim;

    public Attention(int hidden, int heads, int kvHeads, int headDim, boolean bias, boolean qkNorm, double normEps) {
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " not a multiple of kv heads " + kvHeads);
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        qProj = child("q_proj", new Linear(hidden, heads * headDim, bias));
        kProj = child("k_proj", new Linear(hidden, kvHeads * headDim, bias));
        vProj = child("v_proj", new Linear(hidden, kvHeads * headDim, bias));
        oProj = child("o_proj", new Linear(heads * headDim, hidden, bias));
        qNorm = qkNorm ? child("q_norm", RmsNorm.gemma(headDim, normEps)) : null;
        kNorm = qkNorm ? child("k_norm", RmsNorm.gemma(headDim, normEps)) : null;
    }

    /** Queries [B, S, heads, headDim] of x [B, S, hidden], normed when the layer has qk-norm. */
    public Tensor queries(Tensor x) {
        Tensor q = split(qProj.forward(x), heads);
        return qNorm == null ? q : qNorm.forward(q);
    }

    /** Keys [B, S, kvHeads, headDim], normed when the layer has qk-norm. */
    public Tensor keys(Tensor x) {
        Tensor k = split(kProj.forward(x), kvHeads);
        return kNorm == null ? k : kNorm.forward(k);
    }

    public Tensor values(Tensor x) {
        return split(vProj.forward(x), kvHeads);
    }

    /** [B, S, heads·headDim] as [B, S, heads, headDim] (a view). */
    private Tensor split(Tensor t, int h) {
        return t.reshape(t.size(0), t.size(1), h, headDim);
    }

    /** Self-attention over x [B, S, hidden] with RoPE tables (or null) and a mask [1|B, S, S] (or null). */
    public Tensor forward(Tensor x, RopeTables.CosSin rope, Tensor mask, double scale, double softCap) {
        Tensor q = queries(x), k = keys(x), v = values(x);
        if (rope != null) {
            q = TransformerOps.rope(q, rope.cos(), rope.sin());
            k = TransformerOps.rope(k, rope.cos(), rope.sin());
        }
        Tensor a = TransformerOps.scaledDotProductAttention(q, k, v, mask, scale, softCap);
        return output(a);
    }

    /** o_proj of attention output [B, S, heads, headDim]. */
    public Tensor output(Tensor attended) {
        return oProj.forward(attended.reshape(attended.size(0), attended.size(1), heads * headDim));
    }
}
