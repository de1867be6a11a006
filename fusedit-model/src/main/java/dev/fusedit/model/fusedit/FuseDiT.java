package dev.fusedit.model.fusedit;

import dev.fusedit.layers.RopeTables;
import dev.fusedit.model.gemma.GemmaDecoderLayer;
import dev.fusedit.model.gemma.GemmaModel;
import dev.fusedit.model.gemma.Masks;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.Parameter;
import dev.fusedit.layers.StateDict;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.ops.TransformerOps;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * FuseDiT (deep fusion): a frozen Gemma / Gemma-2 text stream {@code llm} and a trainable DiT
 * stream {@code dit} whose layer i shares attention with LLM layer initial_layers + i over the
 * sequence [text ; image] (docs/reference.md#sequence-layout, and #text-kv-cache for the keys and values kept per layer).
 *
 * <p>Text rows of the shared attention are causal over text and never see image tokens, so the
 * text stream does not depend on the image: {@link #encodeText} runs it once, without gradients,
 * and keeps each shared layer's text keys and values; {@link #velocity} then runs only the DiT
 * stream against them. This is the reference's computation (with and without its KV cache) with
 * one deliberate difference: the reference's cached path ({@code use_cache=True}, steps after the
 * first) drops the +n image-position offset, so its later denoising steps rotate image tokens as
 * if no text preceded them. Here the image positions always include the offset, as in training
 * and in the reference's uncached sampling.
 *
 * <p>Inside the fused layers the text attention is plain softmax(QKᵀ/√head_dim + mask): no
 * Gemma-2 soft-cap, sliding window or query_pre_attn_scalar, and no qk-norm on text. The plain
 * text layers before {@code initial_layers} are the LLM's own layers (with those Gemma-2
 * features), as the reference calls them. The last shared layer's text o_proj and MLP are
 * skipped (their output is never read), and llm.norm is unused.
 */
public final class FuseDiT extends Module {
    public final FuseDiTConfig config;
    public final GemmaModel llm;
    public final DiT dit;

    public FuseDiT(FuseDiTConfig config) {
        if (config.modelType() != FuseDiTConfig.ModelType.FUSEDIT)
            throw new IllegalArgumentException("FuseDiT needs model_type \"FuseDiT\", got " + config.modelType() + " (use DiT for the shallow baselines)");
        this.config = config;
        llm = child("llm", new GemmaModel(config.base()));
        dit = child("dit", new DiT(config));
        llm.setTrainable(false);
    }

    /**
     * Fresh DiT-stream weights for training from scratch (docs/reference.md#initialization); the text stream keeps
     * whatever it holds (load it from a pretrained Gemma with {@link #loadTextStream}).
     */
    public void initializeForTraining(Rng rng) {
        dit.initializeForTraining(rng);
    }

    /**
     * Binds the frozen text stream to a pretrained Gemma / Gemma-2 checkpoint (HF *ForCausalLM
     * keys "model.*" or a bare model): embeddings and the first base_config.num_hidden_layers
     * layers (the reference truncates the LLM to the layers the DiT shares); the LM head and
     * deeper layers are ignored.
     */
    public void loadTextStream(TensorSource weights) throws IOException {
        String prefix = weights.contains("model.embed_tokens.weight") ? "model." : "";
        int layers = config.base().numHiddenLayers();
        StateDict.load(llm, weights, prefix, key -> key.equals("lm_head.weight") || deeperLayer(key, prefix, layers)
                || !key.startsWith(prefix + "embed_tokens.") && !key.startsWith(prefix + "layers.") && !key.startsWith(prefix + "norm."));
        llm.copyParametersToFloat32(false);
    }

    private static boolean deeperLayer(String key, String prefix, int layers) {
        String rest = key.substring(prefix.length());
        if (!rest.startsWith("layers.")) return false;
        int dot = rest.indexOf('.', 7);
        try {
            return Integer.parseInt(rest.substring(7, dot < 0 ? rest.length() : dot)) >= layers;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Runs the text stream once for ids [B, L] (BOS first, right-padded) and attention mask
     * [B][L] (1 real, 0 pad), without gradients unless the text stream was made trainable. The context's tensors live in the caller's
     * current memory scope: encode outside the per-step scopes of a sampling loop and reuse the
     * context for every step (and, in training, for both forward passes of a batch).
     */
    public TextContext encodeText(Tensor ids, int[][] attentionMask) {
        if (ids.dim() != 2 || attentionMask.length != ids.size(0) || attentionMask[0].length != ids.size(1))
            throw new IllegalArgumentException("input ids must be [B, L] and the attention mask [B][L] of the same size, got ids "
                    + Arrays.toString(ids.shape()) + " and mask " + attentionMask.length + "×" + (attentionMask.length == 0 ? 0 : attentionMask[0].length));
        var base = config.base();
        int batch = ids.size(0), len = ids.size(1);
        int[] realTokens = FusionLayout.realTokens(attentionMask);
        List<Tensor> keys = new ArrayList<>(), values = new ArrayList<>();
        // frozen (the reference's default): no graph; trainable (train_llm): recorded like the DiT
        boolean record = GradMode.isEnabled() && llm.namedParameters().values().stream().anyMatch(Parameter::trainable);
        try (GradMode ignored = record ? GradMode.enableGrad() : GradMode.noGrad()) {
            RopeTables.CosSin rope = FusionLayout.textRope(len, base.headDim(), base.ropeTheta());
            Tensor x = llm.embed(ids);
            for (int l = 0; l < config.initialLayers(); l++)
                x = llm.layers.get(l).forward(x, rope, Masks.causal(attentionMask, batch, len, base.slidingWindowOf(l)));
            Tensor causal = Masks.causal(attentionMask, batch, len, 0);
            boolean cross = config.attention() == FuseDiTConfig.AttentionKind.CROSS;
            int last = base.numHiddenLayers() - 1;
            for (int l = config.initialLayers(); l <= last; l++) {
                GemmaDecoderLayer layer = llm.layers.get(l);
                Tensor in = x;
                boolean isLast = l == last;
                // one layer's temporaries at a time when not recording; the kept K, V and next input are copied out
                Tensor[] kept = MemoryScope.retain(() -> {
                    Tensor h = layer.inputLayernorm.forward(in);
                    Tensor q = layer.selfAttn.queries(h), k = layer.selfAttn.keys(h), v = layer.selfAttn.values(h);
                    Tensor qr = TransformerOps.rope(q, rope.cos(), rope.sin()), kr = TransformerOps.rope(k, rope.cos(), rope.sin());
                    if (isLast) return new Tensor[] {cross ? k : kr, v, null};
                    Tensor a = TransformerOps.scaledDotProductAttention(qr, kr, v, causal, 1 / Math.sqrt(base.headDim()), 0);
                    return new Tensor[] {cross ? k : kr, v, layer.feedForward(in, layer.selfAttn.output(a))};
                });
                keys.add(kept[0]);
                values.add(kept[1]);
                x = kept[2];
            }
        }
        return new TextContext(attentionMask, realTokens, keys, values, null);
    }

    /** The velocity (≈ noise − x0) for latents [B, C, H, W] at timestep [B] (σ·1000), given the encoded text. */
    public Tensor velocity(Tensor latents, Tensor timestep, TextContext text) {
        if (latents.dim() != 4 || latents.size(0) != text.batch())
            throw new IllegalArgumentException("latents must be [" + text.batch() + ", C, H, W] to match the text batch, got " + Arrays.toString(latents.shape()));
        int h = latents.size(2) / config.patchSize(), w = latents.size(3) / config.patchSize();
        boolean self = config.attention() == FuseDiTConfig.AttentionKind.SELF;
        DiT.Conditioning cond = dit.condition(timestep, text.modulationEmbeds());
        Tensor x = dit.embedImage(latents, cond);
        RopeTables.CosSin rope = FusionLayout.imageRope(config, h, w, self ? text.realTokens() : new int[text.batch()]);
        Tensor mask = FusionLayout.imageRowsMask(text.attentionMask(), h * w, self);
        List<Tensor> outputs = new ArrayList<>();
        for (int i = 0; i < dit.layers.size(); i++) {
            // without gradients only one layer's temporaries are alive at a time
            Tensor in = x;
            int layer = i;
            x = MemoryScope.retainOne(() -> dit.layers.get(layer).forward(dit.layerInput(layer, in, outputs), dit.modulation(layer, cond), rope,
                    text.keys().get(layer), text.values().get(layer), mask));
            if (dit.keepsOutput(i)) outputs.add(x);
        }
        return dit.head(x, cond, h, w);
    }

    /** velocity(latents, timestep, encodeText(ids, mask)) in one call. */
    public Tensor velocity(Tensor latents, Tensor timestep, Tensor ids, int[][] attentionMask) {
        return velocity(latents, timestep, encodeText(ids, attentionMask));
    }
}
