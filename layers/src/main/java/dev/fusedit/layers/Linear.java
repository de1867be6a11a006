package dev.fusedit.layers;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Linalg;

/** y = x·Wᵀ + b, W stored [out, in] as PyTorch stores it. */
public final class Linear extends Module {
    public final Parameter weight;
    public final Parameter bias;
    private final int in, out;

    public Linear(int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", out, in);
        this.bias = bias ? parameter("bias", out) : null;
    }

    public Tensor forward(Tensor x) {
        return Linalg.linear(x, weight.get(), bias == null ? null : bias.get());
    }

    public int in() { return in; }
    public int out() { return out; }
}
