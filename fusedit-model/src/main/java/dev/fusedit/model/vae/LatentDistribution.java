package dev.fusedit.model.vae;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.random.Rng;

/**
 * diffusers DiagonalGaussianDistribution over the VAE latents: mean and log-variance (clamped to
 * [−30, 20] as diffusers does), both [B, latent, h, w], in the VAE's own (unscaled) space.
 */
public record LatentDistribution(Tensor mean, Tensor logvar) {

    /** Splits encoder moments [B, 2C, h, w] into mean (first C channels) and clamped log-variance. */
    public static LatentDistribution fromMoments(Tensor moments) {
        int c = moments.size(1) / 2;
        Tensor mean = moments.narrow(1, 0, c).contiguous();
        Tensor logvar = Pointwise.clamp(moments.narrow(1, c, c), -30, 20);
        return new LatentDistribution(mean, logvar);
    }

    public Tensor std() {
        return Pointwise.exp(Pointwise.mul(logvar, 0.5));
    }

    /** mean + std · ε with ε ~ N(0, 1) drawn from {@code rng}. */
    public Tensor sample(Rng rng) {
        return Pointwise.add(mean, Pointwise.mul(std(), rng.normal(mean.shape())));
    }
}
