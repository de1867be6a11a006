package dev.fusedit.spark;

import dev.fusedit.model.pipeline.PipelineFolder;
import dev.fusedit.model.pipeline.SampleOptions;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * The sampling settings a job ships to its tasks: {@link SampleOptions} holds a listener and is not
 * serializable, so tasks rebuild it from these.
 *
 * @param steps      denoising steps
 * @param guidance   classifier-free guidance scale (1 or less: off); null: the model's (its model_index.json guidance_scale, else 6)
 * @param stochastic true / false for the stochastic / Euler sampler, null for the model's scheduler config
 * @param batch      images per denoising pass inside a task
 */
public record SamplingSettings(int steps, Double guidance, Boolean stochastic, int batch) implements Serializable {
    public SamplingSettings {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        if (guidance != null && !Double.isFinite(guidance)) throw new IllegalArgumentException("guidance must be a finite number, got " + guidance);
    }

    /** The library's defaults (25 steps, the model's guidance and sampler) in passes of {@code batch} images. */
    public static SamplingSettings defaults(int batch) {
        return new SamplingSettings(SampleOptions.DEFAULT_STEPS, null, null, batch);
    }

    /** These settings with the guidance named: the model folder's own where none is given (read on the driver, for the manifest). */
    public SamplingSettings withGuidanceOf(Path model) throws IOException {
        return guidance != null ? this : new SamplingSettings(steps, PipelineFolder.open(model).guidanceScale(), stochastic, batch);
    }

    /** Options for one pass with {@code negativePrompt} as the unconditional text. */
    public SampleOptions options(String negativePrompt) {
        return SampleOptions.defaults().withSteps(steps).withGuidance(guidance).withStochasticSampling(stochastic)
                .withNegativePrompt(negativePrompt);
    }
}
