package dev.fusedit.layers;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Conv;

/** 2-D convolution over [batch, channels, height, width], weight [out, in, k, k]. */
public final class Conv2d extends Module {
    public final Parameter weight;
    public final Parameter bias;
    private final int stride, padding;

    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias) {
        this.weight = parameter("weight", out, in, kernel, kernel);
        this.bias = bias ? parameter("bias", out) : null;
        this.stride = stride;
        this.padding = padding;
    }

    public Tensor forward(Tensor x) {
        return Conv.conv2d(x, weight.get(), bias == null ? null : bias.get(), stride, padding);
    }
}
