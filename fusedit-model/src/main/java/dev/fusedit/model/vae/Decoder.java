package dev.fusedit.model.vae;

import dev.fusedit.layers.Conv2d;
import dev.fusedit.layers.GroupNorm;
import dev.fusedit.layers.Module;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers vae.Decoder: latents [B, latent, h, w] → image [B, out, h·f, w·f]. The up blocks run
 * the channel list backwards, each with layers_per_block + 1 resnets.
 */
public final class Decoder extends Module {
    private final Conv2d convIn, convOut;
    private final MidBlock midBlock;
    private final List<UpDecoderBlock2D> upBlocks;
    private final GroupNorm convNormOut;

    Decoder(VaeConfig config) {
        int[] ch = config.blockOutChannels();
        int groups = config.normNumGroups(), n = ch.length;
        convIn = child("conv_in", new Conv2d(config.latentChannels(), ch[n - 1], 3, 1, 1, true));
        midBlock = child("mid_block", new MidBlock(ch[n - 1], groups, config.midBlockAddAttention()));
        List<UpDecoderBlock2D> blocks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int in = ch[n - 1 - Math.max(i - 1, 0)], out = ch[n - 1 - i];
            blocks.add(new UpDecoderBlock2D(in, out, config.layersPerBlock() + 1, groups, i < n - 1));
        }
        upBlocks = childList("up_blocks", blocks);
        convNormOut = child("conv_norm_out", new GroupNorm(groups, ch[0], ResnetBlock2D.EPS));
        convOut = child("conv_out", new Conv2d(ch[0], config.outChannels(), 3, 1, 1, true));
    }

    public Tensor forward(Tensor latents) {
        Tensor h = midBlock.forward(ScopedTemporaries.run(() -> convIn.forward(latents)));
        for (UpDecoderBlock2D b : upBlocks) h = b.forward(h);
        Tensor last = h;
        return ScopedTemporaries.run(() -> convOut.forward(Pointwise.silu(convNormOut.forward(last))));
    }
}
