package dev.fusedit.spark;

import dev.fusedit.model.pipeline.SampleOptions;

import java.io.Serializable;

/**
 * The sampling settings a job ships to its tasks: {@link SampleOptions} holds a listener and is not
 * serializable, so tasks rebuild it from these.
 *
 * @param steps      denoising steps
 * @param guidance   classifier-free guidance scale (1 or less: off)
 * @param stochastic true / false for the stochastic / Euler sampler, null for the model's scheduler config
 * @param batch      images per denoising pass inside a task
 */
public record SamplingSettings(int steps, double guidance, Boolean stochastic, int batch) implements Serializable {
    public SamplingSettings {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
    }

    /** The library's defaults (25 steps, guidance 6, the model's sampler) in passes of {@code batch} images. */
    public static SamplingSettings defaults(int batch) {
        return new SamplingSettings(SampleOptions.DEFAULT_STEPS, SampleOptions.DEFAULT_GUIDANCE, null, batch);
    }

    /** Options for one pass with {@code negativePrompt} as the unconditional text. */
    public SampleOptions options(String negativePrompt) {
        return SampleOptions.defaults().withSteps(steps).withGuidance(guidance).withStochasticSampling(stochastic)
                .withNegativePrompt(negativePrompt);
    }
}
