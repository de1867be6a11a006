package dev.fusedit.model.gemma;

import dev.fusedit.layers.Attention;
import dev.fusedit.layers.GegluMlp;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.layers.RopeTables;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;

/**
 * One Gemma decoder layer. Gemma: x += attn(norm(x)); x += mlp(norm(x)). Gemma-2 adds a norm
 * after each block ("sandwich"): x += post_attn_norm(attn(input_norm(x))); x += post_ff_norm(mlp(pre_ff_norm(x))).
 */
public final class GemmaDecoderLayer extends Module {
    public final RmsNorm inputLayernorm, postAttentionLayernorm, preFeedforwardLayernorm, postFeedforwardLayernorm;
    public final Attention selfAttn;
    public final GegluMlp mlp;
    private final GemmaConfig config;

    public GemmaDecoderLayer(GemmaConfig c) {
        this.config = c;
        double eps = c.rmsNormEps();
        inputLayernorm = child("input_layernorm", RmsNorm.gemma(c.hiddenSize(), eps));
        selfAttn = child("self_attn", new Attention(c.hiddenSize(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(),
                c.attentionBias(), false, eps));
        postAttentionLayernorm = child("post_attention_layernorm", RmsNorm.gemma(c.hiddenSize(), eps));
        preFeedforwardLayernorm = c.gemma2() ? child("pre_feedforward_layernorm", RmsNorm.gemma(c.hiddenSize(), eps)) : null;
        postFeedforwardLayernorm = c.gemma2() ? child("post_feedforward_layernorm", RmsNorm.gemma(c.hiddenSize(), eps)) : null;
        mlp = child("mlp", new GegluMlp(c.hiddenSize(), c.intermediateSize()));
    }

    /** x [B, L, hidden] → x after this layer; mask [1|B, L, L] additive. */
    public Tensor forward(Tensor x, RopeTables.CosSin rope, Tensor mask) {
        Tensor a = selfAttn.forward(inputLayernorm.forward(x), rope, mask, config.attentionScale(), config.attnLogitSoftcapping());
        return feedForward(x, a);
    }

    /** The rest of the layer once attention output {@code attended} (after o_proj) is known. */
    public Tensor feedForward(Tensor x, Tensor attended) {
        if (config.gemma2()) {
            x = Pointwise.add(x, postAttentionLayernorm.forward(attended));
            return Pointwise.add(x, postFeedforwardLayernorm.forward(mlp.forward(preFeedforwardLayernorm.forward(x))));
        }
        x = Pointwise.add(x, attended);
        return Pointwise.add(x, mlp.forward(postAttentionLayernorm.forward(x)));
    }
}
