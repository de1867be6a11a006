package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.TransformerOps;

/**
 * Cross-attention from image tokens to text (the reference's DiTCrossAttention): queries from
 * q_proj (+ q_norm), no RoPE, plain softmax with the text padding mask. In FuseDiT the keys and
 * values are the same layer's LLM keys (before RoPE) and values; the shallow DiT projects the
 * embedded text with its own text_k_proj / text_v_proj and normalizes those keys with k_norm.
 */
public final class DiTCrossAttention extends Module {
    public final Linear qProj, oProj, textKProj, textVProj;
    public final RmsNorm qNorm, kNorm;
    private final int heads, kvHeads, headDim;

    public DiTCrossAttention(FuseDiTConfig c) {
        var b = c.base();
        heads = b.numAttentionHeads();
        kvHeads = b.numKeyValueHeads();
        headDim = b.headDim();
        boolean shallow = c.modelType() == FuseDiTConfig.ModelType.DIT;
        boolean bias = b.attentionBias();
        qNorm = c.qkNorm() ? child("q_norm", RmsNorm.gemma(headDim, b.rmsNormEps())) : null;
        kNorm = c.qkNorm() && shallow ? child("k_norm", RmsNorm.gemma(headDim, b.rmsNormEps())) : null;
        qProj = child("q_proj", new Linear(c.ditHiddenSize(), heads * headDim, bias));
        oProj = child("o_proj", new Linear(heads * headDim, c.ditHiddenSize(), bias));
        textKProj = shallow ? child("text_k_proj", new Linear(c.textHiddenSize(), kvHeads * headDim, bias)) : null;
        textVProj = shallow ? child("text_v_proj", new Linear(c.textHiddenSize(), kvHeads * headDim, bias)) : null;
    }

    /** Keys of the embedded text [B, L, kvHeads, D] (shallow DiT only). */
    public Tensor textKeys(Tensor context) {
        Tensor k = textKProj.forward(context).reshape(context.size(0), context.size(1), kvHeads, headDim);
        return kNorm == null ? k : kNorm.forward(k);
    }

    public Tensor textValues(Tensor context) {
        return textVProj.forward(context).reshape(context.size(0), context.size(1), kvHeads, headDim);
    }

    /** x [B, N, H] attends to text keys/values [B, L, kvHeads, D] under mask [B, N, L]; returns [B, N, H]. */
    public Tensor forward(Tensor x, Tensor textKeys, Tensor textValues, Tensor mask) {
        Tensor q = qProj.forward(x).reshape(x.size(0), x.size(1), heads, headDim);
        if (qNorm != null) q = qNorm.forward(q);
        Tensor a = TransformerOps.scaledDotProductAttention(q, textKeys, textValues, mask, 1 / Math.sqrt(headDim), 0);
        return oProj.forward(a.reshape(x.size(0), x.size(1), heads * headDim));
    }
}
