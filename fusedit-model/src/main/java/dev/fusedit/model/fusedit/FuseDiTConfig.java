package dev.fusedit.model.fusedit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.gemma.GemmaConfig;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A FuseDiT or shallow-DiT transformer/config.json (the reference's DiTConfig / FuseDiTConfig,
 * docs/reference.md#variants): the variant switches and the DiT's shapes, with the Gemma base
 * config nested under base_config. Defaults are the reference's constructor defaults; a key that
 * is present with value null means "none" (timestep_conditioning: null is no conditioning).
 *
 * <p>Two switches are this project's, not the reference's, and off unless a config sets them
 * (docs/reference.md#departures): {@code long_skips}, U-ViT's long skip connections between the
 * DiT layers of the first and second half, and {@code output_conv}, a 3x3 convolution added to the
 * unpatchified output. Both change only the DiT's image stream; the fusion is as the paper has it.
 */
public record FuseDiTConfig(
        ModelType modelType,
        GemmaConfig base,
        double initializerRange,
        AttentionKind attention,
        PosEmbed posEmbed,
        TimestepConditioning timestepConditioning,
        boolean qkNorm,
        boolean sandwichNorm,
        List<Integer> sharedAttentionLayers,
        int initialLayers,
        int ditHiddenSize,
        int ditNumHiddenLayers,
        int patchSize,
        int inChannels,
        int outChannels,
        int sampleSize,
        int posEmbedMaxSize,
        int textModulationEmbedsDim,
        int textHiddenSize,
        int textHiddenStatesIndex,
        boolean longSkips,
        boolean outputConv) {

    /** FuseDiT: deep fusion with the LLM's layers; DiT: the shallow baselines fed final LLM hidden states. */
    public enum ModelType { FUSEDIT, DIT }

    /** self: image tokens join the text tokens' attention; cross: image self-attention, then cross-attention to text. */
    public enum AttentionKind { SELF, CROSS }

    /** ape: sin-cos table added to the patch tokens; otherwise RoPE on image queries and keys. */
    public enum PosEmbed { APE, ROPE_1D, ROPE_2D, M_ROPE }

    public enum TimestepConditioning { NONE, ADALN_ZERO, ADALN_SINGLE, ADDITION }

    public FuseDiTConfig {
        sharedAttentionLayers = sharedAttentionLayers == null ? null : List.copyOf(sharedAttentionLayers);
    }

    public static FuseDiTConfig read(Path file) throws IOException {
        JsonNode root = ConfigFiles.readJson(file);
        return from(new ConfigReader(file, "", root));
    }

    public static FuseDiTConfig from(ConfigReader c) throws IOException {
        ConfigReader baseReader = c.object("base_config");
        GemmaConfig base = GemmaConfig.from(baseReader);
        double initRange = baseReader.optDouble("initializer_range", 0.02);

        String type = c.optString("model_type", "FuseDiT");
        c.check(type.equals("FuseDiT") || type.equals("DiT"), "model_type", "expected \"FuseDiT\" or \"DiT\", got \"" + type + "\"");
        ModelType modelType = type.equals("FuseDiT") ? ModelType.FUSEDIT : ModelType.DIT;

        String att = c.optString("attention", "self");
        c.check(att.equals("self") || att.equals("cross"), "attention", "expected \"self\" or \"cross\", got \"" + att + "\"");
        AttentionKind attention = att.equals("self") ? AttentionKind.SELF : AttentionKind.CROSS;

        String pe = c.optString("pos_embed", "1d-rope");
        PosEmbed posEmbed = switch (pe) {
            case "ape" -> PosEmbed.APE;
            case "1d-rope" -> PosEmbed.ROPE_1D;
            case "2d-rope" -> PosEmbed.ROPE_2D;
            case "m-rope" -> PosEmbed.M_ROPE;
            default -> throw new FormatException(c.file(), "pos_embed: expected \"ape\", \"1d-rope\", \"2d-rope\" or \"m-rope\", got \"" + pe + "\"");
        };

        // Absent means the constructor default (adaLN-Zero); an explicit null means no conditioning.
        String tc = c.node().has("timestep_conditioning") ? c.optString("timestep_conditioning", null) : "adaln-zero";
        TimestepConditioning conditioning = tc == null ? TimestepConditioning.NONE : switch (tc) {
            case "adaln-zero" -> TimestepConditioning.ADALN_ZERO;
            case "adaln-single" -> TimestepConditioning.ADALN_SINGLE;
            case "addition" -> TimestepConditioning.ADDITION;
            default -> throw new FormatException(c.file(), "timestep_conditioning: expected null, \"adaln-zero\", \"adaln-single\" or \"addition\", got \"" + tc + "\"");
        };

        List<Integer> shared = null;
        JsonNode sharedNode = c.raw("shared_attention_layers");
        if (sharedNode != null && !sharedNode.isNull()) {
            if (sharedNode.isTextual()) {
                c.check(sharedNode.asText().equals("all"), "shared_attention_layers", "expected \"all\" or a list of layer indices, got \"" + sharedNode.asText() + "\"");
            } else {
                c.check(sharedNode.isArray(), "shared_attention_layers", "expected \"all\" or a list of layer indices, got " + sharedNode);
                shared = new ArrayList<>();
                for (JsonNode n : sharedNode) {
                    c.check(n.isIntegralNumber() && n.canConvertToInt(), "shared_attention_layers", "expected integer layer indices, got " + n);
                    shared.add(n.asInt());
                }
            }
        }

        int ditHidden = c.optInt("dit_hidden_size", base.hiddenSize());
        FuseDiTConfig cfg = new FuseDiTConfig(
                modelType, base, initRange, attention, posEmbed, conditioning,
                c.optBoolean("qk_norm", false),
                c.optBoolean("sandwich_norm", false),
                shared,
                c.optInt("initial_layers", 0),
                ditHidden,
                c.optInt("dit_num_hidden_layers", 18),
                c.optInt("patch_size", 2),
                c.optInt("in_channels", 16),
                c.optInt("out_channels", 16),
                c.optInt("sample_size", 32),
                c.node().has("pos_embed_max_size") ? c.optInt("pos_embed_max_size", 0) : 64,
                c.optInt("text_modulation_embeds_dim", 0),
                c.optInt("text_hidden_size", base.hiddenSize()),
                c.optInt("text_hidden_states_index", -1),
                c.optBoolean("long_skips", false),
                c.optBoolean("output_conv", false));
        cfg.validate(c);
        return cfg;
    }

    /** Shape and structure checks, each naming the field at fault. */
    private void validate(ConfigReader c) throws IOException {
        c.check(ditHiddenSize > 0, "dit_hidden_size", "must be positive, got " + ditHiddenSize);
        c.check(ditNumHiddenLayers > 0, "dit_num_hidden_layers", "must be positive, got " + ditNumHiddenLayers);
        c.check(patchSize > 0, "patch_size", "must be positive, got " + patchSize);
        c.check(inChannels > 0, "in_channels", "must be positive, got " + inChannels);
        c.check(outChannels > 0, "out_channels", "must be positive, got " + outChannels);
        c.check(sampleSize > 0 && sampleSize % patchSize == 0, "sample_size", "must be a positive multiple of patch_size " + patchSize + ", got " + sampleSize);
        c.check(posEmbedMaxSize >= 0, "pos_embed_max_size", "must not be negative, got " + posEmbedMaxSize);
        c.check(textModulationEmbedsDim >= 0, "text_modulation_embeds_dim", "must be positive or null, got " + textModulationEmbedsDim);
        c.check(textHiddenSize > 0, "text_hidden_size", "must be positive, got " + textHiddenSize);
        if (posEmbed == PosEmbed.APE)
            c.check(ditHiddenSize % 4 == 0, "dit_hidden_size", "must be divisible by 4 for the sin-cos position table, got " + ditHiddenSize);
        if (posEmbed == PosEmbed.ROPE_2D || posEmbed == PosEmbed.M_ROPE)
            c.check(base.headDim() % 4 == 0, "base_config.head_dim", "must be divisible by 4 for " + posEmbed + ", got " + base.headDim());
        if (modelType == ModelType.DIT) {
            // The cross variant's text_k_proj takes text_hidden_size inputs but is fed the context embedder's output.
            if (attention == AttentionKind.CROSS)
                c.check(textHiddenSize == ditHiddenSize, "text_hidden_size", "must equal dit_hidden_size (" + ditHiddenSize
                        + ") for the cross-attention DiT (its text projections read the embedded context), got " + textHiddenSize);
            return;
        }
        int layers = base.numHiddenLayers();
        c.check(initialLayers >= 0 && initialLayers < layers, "initial_layers", "must be in [0, " + layers + "), got " + initialLayers);
        // The reference runs a DiT layer without a shared LLM layer through code paths that fail
        // (no text projections), so every DiT layer must pair with one LLM layer after initial_layers.
        if (sharedAttentionLayers != null) {
            List<Integer> expected = new ArrayList<>();
            for (int i = initialLayers; i < layers; i++) expected.add(i);
            c.check(sharedAttentionLayers.equals(expected), "shared_attention_layers",
                    "must be \"all\" or exactly the layers " + expected + " (initial_layers .. base_config.num_hidden_layers - 1), got " + sharedAttentionLayers);
        }
        c.check(ditNumHiddenLayers == layers - initialLayers, "dit_num_hidden_layers",
                "must equal base_config.num_hidden_layers - initial_layers = " + (layers - initialLayers) + " (one DiT layer per shared LLM layer), got " + ditNumHiddenLayers);
        // The reference builds 1D positions for [text; image] but applies them to image tokens only.
        c.check(!(attention == AttentionKind.CROSS && posEmbed == PosEmbed.ROPE_1D), "pos_embed",
                "\"1d-rope\" is not supported with attention \"cross\" (the reference's shapes do not match)");
    }
}
