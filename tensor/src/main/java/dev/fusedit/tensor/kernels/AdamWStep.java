package dev.fusedit.tensor.kernels;

/** Hyper-parameters of one AdamW step; {@code step} counts from 1. */
public record AdamWStep(float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
    public float biasCorrection1() { return (float) (1 - Math.pow(beta1, step)); }
    public float biasCorrection2() { return (float) (1 - Math.pow(beta2, step)); }
}
