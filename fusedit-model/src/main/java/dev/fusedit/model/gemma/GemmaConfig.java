package dev.fusedit.model.gemma;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.model.config.ConfigReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An HF config.json of model_type "gemma" or "gemma2": the numbers that decide the decoder's
 * shapes and arithmetic. Gemma-2's extras (soft-caps, sliding window, query_pre_attn_scalar)
 * are 0 for Gemma v1. Fields we do not use are ignored; required ones are checked by name.
 */
public record GemmaConfig(
        boolean gemma2,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        int maxPositionEmbeddings,
        double queryPreAttnScalar,
        double attnLogitSoftcapping,
        double finalLogitSoftcapping,
        int slidingWindow,
        boolean attentionBias,
        int padTokenId,
        int bosTokenId,
        int eosTokenId) {

    public static GemmaConfig read(Path file) throws IOException {
        JsonNode root = ConfigFiles.readJson(file);
        return from(new ConfigReader(file, "", root));
    }

    /** Reads a Gemma config from {@code c} (a config.json, or a FuseDiT config's base_config). */
    public static GemmaConfig from(ConfigReader c) throws IOException {
        String type = c.requireString("model_type");
        c.check(type.equals("gemma") || type.equals("gemma2"), "model_type", "expected \"gemma\" or \"gemma2\", got \"" + type + "\"");
        boolean g2 = type.equals("gemma2");
        int hidden = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        int kvHeads = c.optInt("num_key_value_heads", heads);
        int headDim = c.optInt("head_dim", heads > 0 ? hidden / heads : 0);
        c.check(hidden > 0, "hidden_size", "must be positive");
        c.check(heads > 0, "num_attention_heads", "must be positive");
        c.check(kvHeads > 0 && heads % kvHeads == 0, "num_key_value_heads", "must divide num_attention_heads (" + heads + ")");
        c.check(headDim > 0 && headDim % 2 == 0, "head_dim", "must be a positive even number");
        String act = c.optString("hidden_activation", c.optString("hidden_act", "gelu_pytorch_tanh"));
        c.check(act.startsWith("gelu"), "hidden_activation", "expected a GELU activation, got \"" + act + "\"");
        GemmaConfig cfg = new GemmaConfig(
                g2,
                c.requireInt("vocab_size"),
                hidden,
                c.requireInt("intermediate_size"),
                c.requireInt("num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                c.optDouble("rms_norm_eps", 1e-6),
                c.optDouble("rope_theta", 10000.0),
                c.optInt("max_position_embeddings", 8192),
                g2 ? c.optDouble("query_pre_attn_scalar", headDim) : headDim,
                g2 ? c.optDouble("attn_logit_softcapping", 0) : 0,
                g2 ? c.optDouble("final_logit_softcapping", 0) : 0,
                g2 ? c.optInt("sliding_window", 0) : 0,
                c.optBoolean("attention_bias", false),
                c.optInt("pad_token_id", 0),
                c.optInt("bos_token_id", 2),
                c.optInt("eos_token_id", 1));
        c.check(cfg.vocabSize > 0, "vocab_size", "must be positive");
        c.check(cfg.intermediateSize > 0, "intermediate_size", "must be positive");
        c.check(cfg.numHiddenLayers > 0, "num_hidden_layers", "must be positive");
        return cfg;
    }

    /** The same model cut to its first {@code layers} layers (FuseDiT aligns the DiT with the first layers). */
    public GemmaConfig withLayers(int layers) {
        return new GemmaConfig(gemma2, vocabSize, hiddenSize, intermediateSize, layers, numAttentionHeads, numKeyValueHeads, headDim,
                rmsNormEps, ropeTheta, maxPositionEmbeddings, queryPreAttnScalar, attnLogitSoftcapping, finalLogitSoftcapping,
                slidingWindow, attentionBias, padTokenId, bosTokenId, eosTokenId);
    }

    /** Attention logit scale: query_pre_attn_scalar^-1/2 for Gemma-2, head_dim^-1/2 for Gemma. */
    public double attentionScale() {
        return 1 / Math.sqrt(queryPreAttnScalar);
    }

    /** Gemma-2 applies a sliding window on even layers (0, 2, ...). */
    public int slidingWindowOf(int layer) {
        return gemma2 && slidingWindow > 0 && layer % 2 == 0 ? slidingWindow : 0;
    }

    /** Parameters of the decoder stack (embedding included once; the LM head is tied). */
    public long parameterCount() {
        long h = hiddenSize, q = (long) numAttentionHeads * headDim, kv = (long) numKeyValueHeads * headDim;
        long attention = h * q + 2 * h * kv + q * h + (attentionBias ? q + 2 * kv + h : 0);
        long mlp = 3 * h * intermediateSize;
        long norms = (gemma2 ? 4 : 2) * h;
        return (long) vocabSize * h + numHiddenLayers * (attention + mlp + norms) + h;
    }
}
