package dev.fusedit.model.pipeline;

/**
 * Settings of one {@link FuseDiTPipeline#generate} call. Start from {@link #defaults()} and
 * change what you need with the {@code with…} methods.
 *
 * @param negativePrompt  the unconditional text of classifier-free guidance ("" = the empty caption, BOS + padding)
 * @param steps           Euler steps
 * @param guidance        classifier-free guidance scale g (v = v_u + g·(v_c − v_u)); at most 1 runs the conditional half only;
 *                        null: the model's own ({@link PipelineFolder#guidanceScale()}, else {@link #DEFAULT_GUIDANCE})
 * @param guidanceMaxSigma guidance applies at the steps whose σ is at most this (infinity: every step, the reference's);
 *                        the steps above it take the conditional velocity alone
 * @param height          image height in pixels; 0 = the model's default (transformer sample_size × VAE factor)
 * @param width           image width in pixels; 0 = the model's default
 * @param seed            image k of prompt p starts from the noise of seed + p·imagesPerPrompt + k
 * @param imagesPerPrompt images per prompt
 * @param stochasticSampling true re-noises each step's clean-sample prediction, false takes Euler
 *                        steps, null follows the model's scheduler_config.json (stochastic_sampling)
 * @param listener        step progress and warnings
 */
public record SampleOptions(String negativePrompt, int steps, Double guidance, double guidanceMaxSigma, int height, int width, long seed,
                            int imagesPerPrompt, Boolean stochasticSampling, SamplingListener listener) {
    public static final int DEFAULT_STEPS = 25;
    /** The paper's evaluation guidance: what a model whose folder names no guidance_scale samples with. */
    public static final double DEFAULT_GUIDANCE = 6.0;

    public SampleOptions {
        if (negativePrompt == null) negativePrompt = "";
        if (listener == null) listener = SamplingListener.WARNINGS_TO_STDERR;
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        if (guidance != null && !Double.isFinite(guidance)) throw new IllegalArgumentException("guidance must be a finite number, got " + guidance);
        if (Double.isNaN(guidanceMaxSigma) || guidanceMaxSigma <= 0)
            throw new IllegalArgumentException("the guidance's largest sigma must be above 0 (infinity: every step), got " + guidanceMaxSigma);
        if (height < 0 || width < 0) throw new IllegalArgumentException("height and width must be positive (0 = the model's default), got " + height + " x " + width);
        if (imagesPerPrompt < 1) throw new IllegalArgumentException("images per prompt must be at least 1, got " + imagesPerPrompt);
    }

    /**
     * Empty negative prompt, 25 steps (the paper's evaluation setting), the model's guidance (the
     * paper's 6.0 unless its folder names another), default size, seed 0, one image per prompt, the
     * model's sampler.
     */
    public static SampleOptions defaults() {
        return new SampleOptions("", DEFAULT_STEPS, null, Double.POSITIVE_INFINITY, 0, 0, 0, 1, null, SamplingListener.WARNINGS_TO_STDERR);
    }

    public SampleOptions withNegativePrompt(String text) {
        return new SampleOptions(text, steps, guidance, guidanceMaxSigma, height, width, seed, imagesPerPrompt, stochasticSampling, listener);
    }

    public SampleOptions withSteps(int n) {
        return new SampleOptions(negativePrompt, n, guidance, guidanceMaxSigma, height, width, seed, imagesPerPrompt, stochasticSampling, listener);
    }

    /** Guidance scale g; null: the model's own. */
    public SampleOptions withGuidance(Double g) {
        return new SampleOptions(negativePrompt, steps, g, guidanceMaxSigma, height, width, seed, imagesPerPrompt, stochasticSampling, listener);
    }

    /** Guidance only at the steps whose σ is at most maxSigma (the high-noise steps above it run unguided); infinity: every step. */
    public SampleOptions withGuidanceMaxSigma(double maxSigma) {
        return new SampleOptions(negativePrompt, steps, guidance, maxSigma, height, width, seed, imagesPerPrompt, stochasticSampling, listener);
    }

    public SampleOptions withSize(int h, int w) {
        return new SampleOptions(negativePrompt, steps, guidance, guidanceMaxSigma, h, w, seed, imagesPerPrompt, stochasticSampling, listener);
    }

    public SampleOptions withSeed(long s) {
        return new SampleOptions(negativePrompt, steps, guidance, guidanceMaxSigma, height, width, s, imagesPerPrompt, stochasticSampling, listener);
    }

    public SampleOptions withImagesPerPrompt(int k) {
        return new SampleOptions(negativePrompt, steps, guidance, guidanceMaxSigma, height, width, seed, k, stochasticSampling, listener);
    }

    /** true / false force the stochastic or the Euler sampler; null leaves it to the model's scheduler config. */
    public SampleOptions withStochasticSampling(Boolean stochastic) {
        return new SampleOptions(negativePrompt, steps, guidance, guidanceMaxSigma, height, width, seed, imagesPerPrompt, stochastic, listener);
    }

    public SampleOptions withListener(SamplingListener l) {
        return new SampleOptions(negativePrompt, steps, guidance, guidanceMaxSigma, height, width, seed, imagesPerPrompt, stochasticSampling, l);
    }
}
