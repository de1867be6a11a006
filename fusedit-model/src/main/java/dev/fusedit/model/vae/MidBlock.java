package dev.fusedit.model.vae;

import dev.fusedit.layers.Module;
import dev.fusedit.tensor.Tensor;

import java.util.List;

/** UNetMidBlock2D as the VAE uses it: resnets.0 → attentions.0 (when enabled) → resnets.1. */
final class MidBlock extends Module {
    private final List<ResnetBlock2D> resnets;
    private final MidAttention attention;

    MidBlock(int channels, int groups, boolean addAttention) {
        resnets = childList("resnets", List.of(new ResnetBlock2D(channels, channels, groups), new ResnetBlock2D(channels, channels, groups)));
        attention = addAttention ? childList("attentions", List.of(new MidAttention(channels, groups))).get(0) : null;
    }

    Tensor forward(Tensor x) {
        Tensor h = resnets.get(0).forward(x);
        if (attention != null) h = attention.forward(h);
        return resnets.get(1).forward(h);
    }
}
