package dev.fusedit.model.vae;

import dev.fusedit.layers.Module;
import dev.fusedit.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** diffusers UpDecoderBlock2D: {@code layers} resnets, then (except in the last block) a ×2 upsampler. */
final class UpDecoderBlock2D extends Module {
    private final List<ResnetBlock2D> resnets;
    private final Upsample2D upsampler;

    UpDecoderBlock2D(int in, int out, int layers, int groups, boolean upsample) {
        List<ResnetBlock2D> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) blocks.add(new ResnetBlock2D(i == 0 ? in : out, out, groups));
        resnets = childList("resnets", blocks);
        upsampler = upsample ? childList("upsamplers", List.of(new Upsample2D(out))).get(0) : null;
    }

    Tensor forward(Tensor x) {
        for (ResnetBlock2D r : resnets) x = r.forward(x);
        return upsampler == null ? x : upsampler.forward(x);
    }
}
