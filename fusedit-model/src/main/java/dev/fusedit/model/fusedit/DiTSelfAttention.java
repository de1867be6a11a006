package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.layers.RopeTables;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.TransformerOps;

/**
 * The DiT layer's self-attention projections (the reference's DiTSelfAttention): image q/k/v
 * from the DiT width to the base config's heads, optional qk-norm over head_dim, o_proj back to
 * the DiT width. The shallow self-attention DiT adds text_k_proj / text_v_proj for the embedded
 * text, whose keys share k_norm. The attention itself is computed by {@link DiTLayer}, because
 * the keys it attends to depend on the variant.
 */
public final class DiTSelfAttention extends Module {
    public final Linear qProj, kProj, vProj, oProj, textKProj, textVProj;
    public final RmsNorm qNorm, kNorm;
    final int heads, kvHeads, headDim;

    public DiTSelfAttention(FuseDiTConfig c, boolean textProjections) {
        var b = c.base();
        heads = b.numAttentionHeads();
        kvHeads = b.numKeyValueHeads();
        headDim = b.headDim();
        int h = c.ditHiddenSize();
        boolean bias = b.attentionBias();
        qNorm = c.qkNorm() ? child("q_norm", RmsNorm.gemma(headDim, b.rmsNormEps())) : null;
        kNorm = c.qkNorm() ? child("k_norm", RmsNorm.gemma(headDim, b.rmsNormEps())) : null;
        qProj = child("q_proj", new Linear(h, heads * headDim, bias));
        kProj = child("k_proj", new Linear(h, kvHeads * headDim, bias));
        vProj = child("v_proj", new Linear(h, kvHeads * headDim, bias));
        textKProj = textProjections ? child("text_k_proj", new Linear(h, kvHeads * headDim, bias)) : null;
        textVProj = textProjections ? child("text_v_proj", new Linear(h, kvHeads * headDim, bias)) : null;
        oProj = child("o_proj", new Linear(heads * headDim, h, bias));
    }

    /** Image queries [B, N, heads, D]: projected, qk-normed, then rotated when rope is not null. */
    public Tensor queries(Tensor x, RopeTables.CosSin rope) {
        Tensor q = split(qProj.forward(x), heads);
        if (qNorm != null) q = qNorm.forward(q);
        return rope == null ? q : TransformerOps.rope(q, rope.cos(), rope.sin());
    }

    /** Image keys [B, N, kvHeads, D]: projected, qk-normed, then rotated when rope is not null. */
    public Tensor keys(Tensor x, RopeTables.CosSin rope) {
        Tensor k = split(kProj.forward(x), kvHeads);
        if (kNorm != null) k = kNorm.forward(k);
        return rope == null ? k : TransformerOps.rope(k, rope.cos(), rope.sin());
    }

    public Tensor values(Tensor x) {
        return split(vProj.forward(x), kvHeads);
    }

    /** Keys of the embedded text [B, L, kvHeads, D] (shallow DiT): k_norm but no RoPE. */
    public Tensor textKeys(Tensor context) {
        Tensor k = split(textKProj.forward(context), kvHeads);
        return kNorm == null ? k : kNorm.forward(k);
    }

    public Tensor textValues(Tensor context) {
        return split(textVProj.forward(context), kvHeads);
    }

    /** o_proj of attention output [B, N, heads, D]. */
    public Tensor output(Tensor attended) {
        return oProj.forward(attended.reshape(attended.size(0), attended.size(1), heads * headDim));
    }

    private Tensor split(Tensor t, int h) {
        return t.reshape(t.size(0), t.size(1), h, headDim);
    }
}
