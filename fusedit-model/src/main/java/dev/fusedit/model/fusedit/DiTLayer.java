package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Attention;
import dev.fusedit.layers.GegluMlp;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.Parameter;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.layers.RopeTables;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.TransformerOps;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.JoinSplit;

import java.util.List;

/**
 * One DiT layer (the reference's DiTLayer and the DiT half of FuseDiT.shared_transformer_layer,
 * which compute the same thing): modulated pre-norm, attention, gated residual, then the
 * modulated GeGLU MLP. The text keys and values it attends to are given: FuseDiT passes the
 * LLM layer's, the shallow DiT its own projections of the embedded text ({@link #textKeys}).
 *
 * <p>Norm placement: without sandwich norm, post_attention_layernorm is the pre-MLP norm (Gemma
 * style); with it, post_attention_layernorm normalizes the attention output and
 * pre/post_feedforward_layernorm wrap the MLP (Gemma-2 style).
 */
public final class DiTLayer extends Module {
    public final AdaLayerNormZero adaNorm;
    public final RmsNorm inputLayernorm;
    public final Parameter scaleShiftTable;
    public final Attention selfAttn;
    public final DiTCrossAttention crossAttn;
    public final RmsNorm postAttentionLayernorm, preFeedforwardLayernorm, postFeedforwardLayernorm, postCrossAttentionLayernorm;
    public final GegluMlp mlp;
    private final FuseDiTConfig config;

    public DiTLayer(FuseDiTConfig c) {
        this.config = c;
        int h = c.ditHiddenSize();
        double eps = c.base().rmsNormEps();
        boolean cross = c.attention() == FuseDiTConfig.AttentionKind.CROSS;
        if (c.timestepConditioning() == FuseDiTConfig.TimestepConditioning.ADALN_ZERO) {
            adaNorm = child("input_layernorm", new AdaLayerNormZero(h, eps));
            inputLayernorm = null;
        } else {
            adaNorm = null;
            inputLayernorm = child("input_layernorm", RmsNorm.gemma(h, eps));
        }
        scaleShiftTable = c.timestepConditioning() == FuseDiTConfig.TimestepConditioning.ADALN_SINGLE ? parameter("scale_shift_table", 6 * h) : null;
        var b = c.base();
        // the shallow self-attention DiT projects its embedded text with the layer's own text_k_proj / text_v_proj
        selfAttn = child("self_attn", new Attention(h, b.numAttentionHeads(), b.numKeyValueHeads(), b.headDim(), b.attentionBias(), c.qkNorm(),
                eps, c.modelType() == FuseDiTConfig.ModelType.DIT && !cross));
        crossAttn = cross ? child("cross_attn", new DiTCrossAttention(c)) : null;
        postAttentionLayernorm = child("post_attention_layernorm", RmsNorm.gemma(h, eps));
        preFeedforwardLayernorm = c.sandwichNorm() ? child("pre_feedforward_layernorm", RmsNorm.gemma(h, eps)) : null;
        postFeedforwardLayernorm = c.sandwichNorm() ? child("post_feedforward_layernorm", RmsNorm.gemma(h, eps)) : null;
        postCrossAttentionLayernorm = c.sandwichNorm() && cross ? child("post_cross_attention_layernorm", RmsNorm.gemma(h, eps)) : null;
        mlp = child("mlp", new GegluMlp(h, c.base().intermediateSize()));
    }

    /** The layer's shift/scale/gate vectors for conditioning temb ([B, H], or [B, 6H] for adaLN-single). */
    public Modulation modulation(Tensor temb) {
        return switch (config.timestepConditioning()) {
            case ADALN_ZERO -> adaNorm.modulation(temb);
            case ADALN_SINGLE -> {
                List<Tensor> c = JoinSplit.chunk(Pointwise.add(scaleShiftTable.get(), temb), 6, 1);
                yield new Modulation(c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5));
            }
            case NONE, ADDITION -> Modulation.IDENTITY;
        };
    }

    /** The shallow DiT's text keys [B, L, kvHeads, D] from the embedded text (context embedder output). */
    public Tensor textKeys(Tensor context) {
        return crossAttn != null ? crossAttn.textKeys(context) : selfAttn.textKeys(context);
    }

    public Tensor textValues(Tensor context) {
        return crossAttn != null ? crossAttn.textValues(context) : selfAttn.textValues(context);
    }

    /**
     * x [B, N, H] → x after the layer. Self attention: image queries attend over [text keys;
     * image keys] under {@code mask} [B, N, L+N]. Cross attention: image self-attention without a
     * mask, then cross-attention to the text under {@code mask} [B, N, L]. rope rotates image
     * queries and keys (null for APE).
     */
    public Tensor forward(Tensor x, Modulation m, RopeTables.CosSin rope, Tensor textKeys, Tensor textValues, Tensor mask) {
        Tensor normed = adaNorm != null ? adaNorm.norm.forward(x) : inputLayernorm.forward(x);
        normed = Modulation.modulate(normed, m.shiftMsa(), m.scaleMsa());
        Tensor q = selfAttn.queries(normed, rope), k = selfAttn.keys(normed, rope), v = selfAttn.values(normed);
        double scale = 1 / Math.sqrt(config.base().headDim());
        Tensor attended;
        if (crossAttn == null) {
            attended = TransformerOps.scaledDotProductAttention(q, JoinSplit.cat(1, textKeys, k), JoinSplit.cat(1, textValues, v), mask, scale, 0);
        } else {
            attended = TransformerOps.scaledDotProductAttention(q, k, v, null, scale, 0);
        }
        Tensor out = selfAttn.output(attended);
        if (config.sandwichNorm()) out = postAttentionLayernorm.forward(out);
        x = Modulation.gatedAdd(x, m.gateMsa(), out);
        if (crossAttn != null) {
            // The cross-attention query reads the un-normalized residual stream, as the reference does.
            Tensor c = crossAttn.forward(x, textKeys, textValues, mask);
            if (postCrossAttentionLayernorm != null) c = postCrossAttentionLayernorm.forward(c);
            x = Pointwise.add(x, c);
        }
        Tensor h = config.sandwichNorm() ? preFeedforwardLayernorm.forward(x) : postAttentionLayernorm.forward(x);
        h = mlp.forward(Modulation.modulate(h, m.shiftMlp(), m.scaleMlp()));
        if (config.sandwichNorm()) h = postFeedforwardLayernorm.forward(h);
        return Modulation.gatedAdd(x, m.gateMlp(), h);
    }
}
