package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Conv2d;
import dev.fusedit.layers.Module;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Linalg;
import dev.fusedit.tensor.ops.Pointwise;

import java.util.Arrays;

/**
 * diffusers PatchEmbed: Conv2d(C → H, kernel = stride = p, bias), flatten to tokens in row-major
 * patch order, plus (APE only) the centre crop of a sin-cos table. The convolution is computed as
 * a matrix product over patch vectors (c, kh, kw), which is the same arithmetic without
 * overlapping windows.
 *
 * <p>The sin-cos table is a persistent buffer in the reference's state dict
 * ({@code patch_embed.pos_embed}, [1, G·G, H] with G = pos_embed_max_size). It is a fixed
 * function of the config, so it is not a parameter here: {@link #sincosTable} recomputes it and
 * checkpoint loading may replace it with the stored copy ({@link #setPositionTable}).
 */
public final class PatchEmbed extends Module {
    public final Conv2d proj;
    private final int patch, inChannels, hidden, gridMax, baseSize;
    private Tensor positionTable;

    public PatchEmbed(FuseDiTConfig c) {
        patch = c.patchSize();
        inChannels = c.inChannels();
        hidden = c.ditHiddenSize();
        proj = child("proj", new Conv2d(inChannels, hidden, patch, patch, 0, true));
        baseSize = c.sampleSize() / patch;
        gridMax = c.posEmbedMaxSize() > 0 ? c.posEmbedMaxSize() : baseSize;
        positionTable = c.posEmbed() == FuseDiTConfig.PosEmbed.APE ? sincosTable(hidden, gridMax, baseSize) : null;
    }

    /** Latents [B, C, h·p, w·p] → tokens [B, h·w, H]. */
    public Tensor forward(Tensor latents) {
        if (latents.dim() != 4 || latents.size(1) != inChannels || latents.size(2) % patch != 0 || latents.size(3) % patch != 0)
            throw new IllegalArgumentException("latents must be [batch, " + inChannels + ", height, width] with sides divisible by " + patch
                    + ", got " + Arrays.toString(latents.shape()));
        int h = latents.size(2) / patch, w = latents.size(3) / patch;
        Tensor patches = patches(latents, patch);
        Tensor weight = proj.weight.get().reshape(hidden, inChannels * patch * patch);
        Tensor tokens = Linalg.linear(patches, weight, proj.bias.get());
        return positionTable == null ? tokens : Pointwise.add(tokens, croppedTable(h, w));
    }

    /** Latents [B, C, h·p, w·p] → patch vectors [B, h·w, C·p·p] in (c, kh, kw) order: the convolution's input as rows. */
    public static Tensor patches(Tensor latents, int patch) {
        int b = latents.size(0), c = latents.size(1), h = latents.size(2) / patch, w = latents.size(3) / patch;
        return latents.reshape(b, c, h, patch, w, patch).permute(0, 2, 4, 1, 3, 5).contiguous().reshape(b, h * w, c * patch * patch);
    }

    /** The centre h × w crop of the G × G table, [1, h·w, H]. */
    private Tensor croppedTable(int h, int w) {
        if (h > gridMax || w > gridMax)
            throw new IllegalArgumentException("a " + h + "×" + w + " patch grid exceeds pos_embed_max_size " + gridMax);
        int top = (gridMax - h) / 2, left = (gridMax - w) / 2;
        return positionTable.reshape(1, gridMax, gridMax, hidden).narrow(1, top, h).narrow(2, left, w).contiguous().reshape(1, h * w, hidden);
    }

    /** Replaces the computed table by a checkpoint's buffer [1, G·G, H]. */
    public void setPositionTable(Tensor table) {
        if (positionTable == null) throw new IllegalArgumentException("this model has no absolute position table (pos_embed is not \"ape\")");
        if (!Arrays.equals(table.shape(), positionTable.shape()))
            throw new IllegalArgumentException("pos_embed buffer must be " + Arrays.toString(positionTable.shape()) + ", got " + Arrays.toString(table.shape()));
        positionTable = table.to(DType.F32).contiguous();
    }

    public Tensor positionTable() {
        return positionTable;
    }

    /**
     * diffusers get_2d_sincos_pos_embed(dim, G, base_size, interpolation_scale 1) as [1, G·G, dim]:
     * token (i, j) at coordinates (j, i)·base/G; the first dim/2 channels encode the column j, the
     * last dim/2 the row i, each as [sin(pos·ω_k) | cos(pos·ω_k)], ω_k = 10000^(−k/(dim/4)). In
     * float64, rounded to float32 once, as the reference does.
     */
    public static Tensor sincosTable(int dim, int grid, int baseSize) {
        int quarter = dim / 4;
        float[] out = new float[grid * grid * dim];
        double step = (float) ((float) grid / (float) baseSize);
        for (int i = 0; i < grid; i++)
            for (int j = 0; j < grid; j++) {
                int base = (i * grid + j) * dim;
                double[] coords = {(float) (j / step), (float) (i / step)};
                for (int half = 0; half < 2; half++)
                    for (int k = 0; k < quarter; k++) {
                        double omega = 1.0 / Math.pow(10000, k / (double) quarter);
                        double a = coords[half] * omega;
                        out[base + half * 2 * quarter + k] = (float) Math.sin(a);
                        out[base + half * 2 * quarter + quarter + k] = (float) Math.cos(a);
                    }
            }
        return Tensor.of(out, 1, grid * grid, dim);
    }

    /** Tokens [B, h·w, p·p·C] with channel fastest → image [B, C, h·p, w·p] ("b (h w) (p1 p2 c) -> b c (h p1) (w p2)"). */
    public static Tensor unpatchify(Tensor tokens, int h, int w, int patch, int channels) {
        int b = tokens.size(0);
        return tokens.reshape(b, h, w, patch, patch, channels).permute(0, 5, 1, 3, 2, 4).contiguous()
                .reshape(b, channels, h * patch, w * patch);
    }
}
