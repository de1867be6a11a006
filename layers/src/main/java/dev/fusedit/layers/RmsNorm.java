package dev.fusedit.layers;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.TransformerOps;

/**
 * RMSNorm over the last dimension, computed in float32. Gemma's variant stores w − 1 and
 * scales by (1 + w) (weightOffset 1); the usual one scales by w (weightOffset 0).
 */
public final class RmsNorm extends Module {
    public final Parameter weight;
    private final double eps;
    private final double weightOffset;

    public RmsNorm(int dim, double eps, double weightOffset) {
        this.weight = parameter("weight", dim);
        this.eps = eps;
        this.weightOffset = weightOffset;
    }

    /** Gemma's RMSNorm: x · rsqrt(mean(x²) + eps) · (1 + w). */
    public static RmsNorm gemma(int dim, double eps) {
        return new RmsNorm(dim, eps, 1.0);
    }

    public double eps() {
        return eps;
    }

    /** 1 for Gemma's (1 + w) scaling, 0 for plain w. */
    public double weightOffset() {
        return weightOffset;
    }

    public Tensor forward(Tensor x) {
        return TransformerOps.rmsNorm(x, weight.get(), eps, weightOffset);
    }
}
