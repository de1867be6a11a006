package dev.fusedit.spark.cli;

import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.shapes.ShapesBenchmark;
import dev.fusedit.spark.SamplingSettings;
import picocli.CommandLine.Option;

import java.util.Locale;

/** --steps, --guidance, --sampler and --batch, with the defaults and meaning of `fusedit sample`'s options. */
final class SamplingFlags {
    @Option(names = "--steps", description = "denoising steps (default ${DEFAULT-VALUE})")
    int steps = SampleOptions.DEFAULT_STEPS;

    @Option(names = "--guidance", description = "classifier-free guidance scale; 1 or less turns it off "
            + "(default: the model's guidance_scale in model_index.json, else " + SampleOptions.DEFAULT_GUIDANCE + ")")
    Double guidance;

    @Option(names = "--sampler", paramLabel = "euler|stochastic", description = "default: the model's scheduler config")
    String sampler;

    @Option(names = "--batch", description = "images per denoising pass inside a task (default ${DEFAULT-VALUE})")
    int batch = ShapesBenchmark.DEFAULT_BATCH;

    SamplingSettings settings() {
        if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        Boolean stochastic = sampler == null ? null : switch (sampler.trim().toLowerCase(Locale.ROOT)) {
            case "euler" -> false;
            case "stochastic" -> true;
            default -> throw new IllegalArgumentException("--sampler must be euler or stochastic, got '" + sampler + "'");
        };
        return new SamplingSettings(steps, guidance, stochastic, batch);
    }
}
