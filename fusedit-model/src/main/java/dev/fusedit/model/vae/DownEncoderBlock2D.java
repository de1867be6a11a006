package dev.fusedit.model.vae;

import dev.fusedit.layers.Module;
import dev.fusedit.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** diffusers DownEncoderBlock2D: {@code layers} resnets, then (except in the last block) a stride-2 downsampler. */
final class DownEncoderBlock2D extends Module {
    private final List<ResnetBlock2D> resnets;
    private final Downsample2D downsampler;

    DownEncoderBlock2D(int in, int out, int layers, int groups, boolean downsample) {
        List<ResnetBlock2D> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) blocks.add(new ResnetBlock2D(i == 0 ? in : out, out, groups));
        resnets = childList("resnets", blocks);
        downsampler = downsample ? childList("downsamplers", List.of(new Downsample2D(out))).get(0) : null;
    }

    Tensor forward(Tensor x) {
        for (ResnetBlock2D r : resnets) x = r.forward(x);
        return downsampler == null ? x : downsampler.forward(x);
    }
}
