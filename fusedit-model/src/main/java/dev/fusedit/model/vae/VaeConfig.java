package dev.fusedit.model.vae;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The fields of a diffusers {@code AutoencoderKL} vae/config.json that decide the network
 * (SD3 layout: DownEncoderBlock2D / UpDecoderBlock2D, SiLU, one-head mid attention).
 *
 * @param scalingFactor latents are scaled by this after (mean − shift) for the transformer
 * @param shiftFactor   subtracted before scaling (0 for VAEs without a shift)
 */
public record VaeConfig(
        int inChannels,
        int outChannels,
        int latentChannels,
        int[] blockOutChannels,
        int layersPerBlock,
        int normNumGroups,
        double scalingFactor,
        double shiftFactor,
        boolean useQuantConv,
        boolean usePostQuantConv,
        boolean midBlockAddAttention) {

    public VaeConfig {
        blockOutChannels = blockOutChannels.clone();
        if (inChannels < 1 || outChannels < 1 || latentChannels < 1)
            throw new IllegalArgumentException("VAE channel counts must be positive, got in " + inChannels + ", out " + outChannels + ", latent " + latentChannels);
        if (blockOutChannels.length == 0) throw new IllegalArgumentException("block_out_channels must name at least one block");
        for (int c : blockOutChannels)
            if (c < 1 || c % normNumGroups != 0)
                throw new IllegalArgumentException("every block_out_channels entry must be a positive multiple of norm_num_groups "
                        + normNumGroups + ", got " + Arrays.toString(blockOutChannels));
        if (layersPerBlock < 1) throw new IllegalArgumentException("layers_per_block must be >= 1, got " + layersPerBlock);
        if (scalingFactor == 0) throw new IllegalArgumentException("scaling_factor must not be 0");
    }

    @Override
    public int[] blockOutChannels() {
        return blockOutChannels.clone();
    }

    /** Pixels per latent pixel along each side: 2^(blocks − 1). */
    public int downsampleFactor() {
        return 1 << (blockOutChannels.length - 1);
    }

    public static VaeConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "VAE config not found");
        JsonNode root = ConfigFiles.readJson(file);
        return from(new ConfigReader(file, "", root));
    }

    public static VaeConfig from(ConfigReader c) throws IOException {
        String cls = c.optString("_class_name", "AutoencoderKL");
        c.check(cls.equals("AutoencoderKL"), "_class_name", "expected \"AutoencoderKL\", got \"" + cls + "\"");
        String act = c.optString("act_fn", "silu");
        c.check(act.equals("silu"), "act_fn", "only \"silu\" is supported, got \"" + act + "\"");
        int[] blocks = intArray(c, "block_out_channels");
        c.check(blocks.length > 0, "block_out_channels", "must name at least one block");
        checkBlockTypes(c, "down_block_types", "DownEncoderBlock2D", blocks.length);
        checkBlockTypes(c, "up_block_types", "UpDecoderBlock2D", blocks.length);
        int groups = c.optInt("norm_num_groups", 32);
        c.check(groups > 0, "norm_num_groups", "must be positive");
        for (int ch : blocks)
            c.check(ch > 0 && ch % groups == 0, "block_out_channels",
                    "every entry must be a positive multiple of norm_num_groups " + groups + ", got " + Arrays.toString(blocks));
        int layers = c.optInt("layers_per_block", 1);
        c.check(layers > 0, "layers_per_block", "must be positive");
        double scaling = c.optDouble("scaling_factor", 0.18215);
        c.check(scaling != 0, "scaling_factor", "must not be 0");
        return new VaeConfig(
                c.optInt("in_channels", 3),
                c.optInt("out_channels", 3),
                c.optInt("latent_channels", 4),
                blocks,
                layers,
                groups,
                scaling,
                c.optDouble("shift_factor", 0),
                c.optBoolean("use_quant_conv", true),
                c.optBoolean("use_post_quant_conv", true),
                c.optBoolean("mid_block_add_attention", true));
    }

    private static int[] intArray(ConfigReader c, String field) throws IOException {
        JsonNode v = c.raw(field);
        c.check(v != null && v.isArray(), field, "required array of integers is missing");
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            c.check(v.get(i).canConvertToInt() && v.get(i).isIntegralNumber(), field, "expected integers, got " + v);
            out[i] = v.get(i).asInt();
        }
        return out;
    }

    /** The block types must all be the one kind this implementation builds, one per block. */
    private static void checkBlockTypes(ConfigReader c, String field, String expected, int blocks) throws IOException {
        JsonNode v = c.raw(field);
        if (v == null || v.isNull()) return;
        c.check(v.isArray() && v.size() == blocks, field, "expected " + blocks + " entries (one per block_out_channels entry), got " + v);
        for (JsonNode t : v)
            c.check(t.isTextual() && t.asText().equals(expected), field, "only \"" + expected + "\" is supported, got " + v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VaeConfig v && inChannels == v.inChannels && outChannels == v.outChannels && latentChannels == v.latentChannels
                && Arrays.equals(blockOutChannels, v.blockOutChannels) && layersPerBlock == v.layersPerBlock && normNumGroups == v.normNumGroups
                && scalingFactor == v.scalingFactor && shiftFactor == v.shiftFactor && useQuantConv == v.useQuantConv
                && usePostQuantConv == v.usePostQuantConv && midBlockAddAttention == v.midBlockAddAttention;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blockOutChannels) * 31 + Double.hashCode(scalingFactor);
    }

    @Override
    public String toString() {
        return "VaeConfig[in " + inChannels + ", out " + outChannels + ", latent " + latentChannels + ", blocks " + Arrays.toString(blockOutChannels)
                + ", layers " + layersPerBlock + ", groups " + normNumGroups + ", scaling " + scalingFactor + ", shift " + shiftFactor
                + ", quant_conv " + useQuantConv + ", post_quant_conv " + usePostQuantConv + ", mid attention " + midBlockAddAttention + "]";
    }
}
