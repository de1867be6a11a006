package dev.fusedit.model.vae;

import dev.fusedit.layers.Conv2d;
import dev.fusedit.layers.GroupNorm;
import dev.fusedit.layers.Module;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers vae.Encoder: image [B, in, H, W] → moments [B, 2·latent, H/f, W/f] (mean channels
 * first, then log-variance channels).
 */
public final class Encoder extends Module {
    private final Conv2d convIn, convOut;
    private final List<DownEncoderBlock2D> downBlocks;
    private final MidBlock midBlock;
    private final GroupNorm convNormOut;

    Encoder(VaeConfig config) {
        int[] ch = config.blockOutChannels();
        int groups = config.normNumGroups();
        convIn = child("conv_in", new Conv2d(config.inChannels(), ch[0], 3, 1, 1, true));
        List<DownEncoderBlock2D> blocks = new ArrayList<>();
        for (int i = 0; i < ch.length; i++)
            blocks.add(new DownEncoderBlock2D(i == 0 ? ch[0] : ch[i - 1], ch[i], config.layersPerBlock(), groups, i < ch.length - 1));
        downBlocks = childList("down_blocks", blocks);
        int last = ch[ch.length - 1];
        midBlock = child("mid_block", new MidBlock(last, groups, config.midBlockAddAttention()));
        convNormOut = child("conv_norm_out", new GroupNorm(groups, last, ResnetBlock2D.EPS));
        convOut = child("conv_out", new Conv2d(last, 2 * config.latentChannels(), 3, 1, 1, true));
    }

    public Tensor forward(Tensor image) {
        Tensor h = ScopedTemporaries.run(() -> convIn.forward(image));
        for (DownEncoderBlock2D b : downBlocks) h = b.forward(h);
        h = midBlock.forward(h);
        Tensor last = h;
        return ScopedTemporaries.run(() -> convOut.forward(Pointwise.silu(convNormOut.forward(last))));
    }
}
