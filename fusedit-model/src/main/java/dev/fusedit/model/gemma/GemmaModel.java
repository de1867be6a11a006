package dev.fusedit.model.gemma;

import dev.fusedit.layers.Embedding;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.layers.RopeTables;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Linalg;
import dev.fusedit.tensor.ops.Pointwise;

import java.util.ArrayList;
import java.util.List;

/**
 * The Gemma / Gemma-2 decoder stack as HF transformers computes it (GemmaModel, Gemma2Model):
 * token embedding × sqrt(hidden), the decoder layers with RoPE and a causal (and, on Gemma-2's
 * even layers, sliding-window) mask, and the final norm. The LM head is the embedding (tied).
 */
public final class GemmaModel extends Module {
    public final GemmaConfig config;
    public final Embedding embedTokens;
    public final List<GemmaDecoderLayer> layers;
    public final RmsNorm norm;

    public GemmaModel(GemmaConfig config) {
        this.config = config;
        embedTokens = child("embed_tokens", new Embedding(config.vocabSize(), config.hiddenSize()));
        List<GemmaDecoderLayer> list = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) list.add(new GemmaDecoderLayer(config));
        layers = childList("layers", list);
        norm = child("norm", RmsNorm.gemma(config.hiddenSize(), config.rmsNormEps()));
    }

    /** Token embeddings scaled by sqrt(hidden) rounded to float32, as HF multiplies by a tensor of the model dtype. */
    public Tensor embed(Tensor ids) {
        return Pointwise.mul(embedTokens.forward(ids), (double) (float) Math.sqrt(config.hiddenSize()));
    }

    /**
     * The final-normed hidden states [B, L, hidden] of ids [B, L] with attention mask [B, L]
     * (1 real, 0 padding; null = all real), positions 0..L-1.
     */
    public Tensor forward(Tensor ids, int[][] attentionMask) {
        int batch = ids.size(0), len = ids.size(1);
        int[][] positions = new int[batch][len];
        for (int[] row : positions) for (int i = 0; i < len; i++) row[i] = i;
        RopeTables.CosSin rope = RopeTables.oneD(positions, config.headDim(), config.ropeTheta());
        Tensor x = embed(ids);
        for (int l = 0; l < layers.size(); l++) {
            int li = l;
            Tensor in = x;
            // without gradients, one layer's temporaries are alive at a time
            x = MemoryScope.retainOne(() -> layers.get(li).forward(in, rope, Masks.causal(attentionMask, batch, len, config.slidingWindowOf(li))));
        }
        return norm.forward(x);
    }

    /** LM-head logits of final-normed hidden states: h · embedᵀ, then Gemma-2's final soft-cap. */
    public Tensor logits(Tensor hidden) {
        Tensor logits = Linalg.linear(hidden, embedTokens.weight.get(), null);
        double cap = config.finalLogitSoftcapping();
        if (cap > 0) logits = Pointwise.mul(Pointwise.tanh(Pointwise.mul(logits, 1 / cap)), cap);
        return logits;
    }
}
