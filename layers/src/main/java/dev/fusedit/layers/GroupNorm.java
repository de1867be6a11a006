package dev.fusedit.layers;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Conv;

/** GroupNorm with a per-channel affine weight and bias (the VAE's normalization). */
public final class GroupNorm extends Module {
    public final Parameter weight, bias;
    private final int groups;
    private final double eps;

    public GroupNorm(int groups, int channels, double eps) {
        if (channels % groups != 0) throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        this.groups = groups;
        this.eps = eps;
        this.weight = parameter("weight", channels);
        this.bias = parameter("bias", channels);
    }

    public Tensor forward(Tensor x) {
        return Conv.groupNorm(x, groups, weight.get(), bias.get(), eps);
    }
}
