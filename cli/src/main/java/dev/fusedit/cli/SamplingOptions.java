package dev.fusedit.cli;

import dev.fusedit.model.pipeline.SampleOptions;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * --steps, --guidance, --guidance-max-sigma and --sampler, shared by the commands that sample; the defaults are the
 * library's ({@link SampleOptions#DEFAULT_STEPS}). Without --guidance the model's model_index.json
 * decides (guidance_scale, {@link SampleOptions#DEFAULT_GUIDANCE} when absent); without --sampler its
 * scheduler/scheduler_config.json (diffusers' stochastic_sampling, false when absent).
 */
final class SamplingOptions {
    @Option(names = "--steps", description = "denoising steps (default ${DEFAULT-VALUE})")
    int steps = SampleOptions.DEFAULT_STEPS;

    @Option(names = "--guidance", description = "classifier-free guidance scale; 1 or less turns it off "
            + "(default: the model's guidance_scale in model_index.json, else " + SampleOptions.DEFAULT_GUIDANCE + ")")
    Double guidance;

    @Option(names = "--guidance-max-sigma", paramLabel = "SIGMA",
            description = "guide only the steps whose noise level sigma is at most SIGMA (0 < SIGMA; sigma runs from 1 down to 0); "
                    + "the steps above it, where the layout is decided, take the conditional velocity alone (default: every step)")
    double guidanceMaxSigma = Double.POSITIVE_INFINITY;

    @Option(names = "--sampler", paramLabel = "euler|stochastic",
            description = "euler: deterministic Euler steps; stochastic: each step re-noises its clean-image prediction with fresh noise "
                    + "(default: the model's scheduler config, stochastic_sampling)")
    String sampler;

    /** The step count, checked. */
    int steps() {
        if (steps < 1) throw new CliException("--steps must be at least 1, got " + steps);
        return steps;
    }

    /** {@code base} with these steps, guidance (base's when --guidance is not given) and sampler. */
    SampleOptions applyTo(SampleOptions base) {
        if (guidance != null && !Double.isFinite(guidance)) throw new CliException("--guidance must be a finite number, got " + guidance);
        if (!(guidanceMaxSigma > 0)) throw new CliException("--guidance-max-sigma must be above 0, got " + guidanceMaxSigma);
        return base.withSteps(steps()).withGuidance(guidance != null ? guidance : base.guidance()).withGuidanceMaxSigma(guidanceMaxSigma).withStochasticSampling(stochastic());
    }

    /** true / false for stochastic / Euler, null for the model's own setting. */
    Boolean stochastic() {
        if (sampler == null) return null;
        return switch (sampler.trim().toLowerCase(Locale.ROOT)) {
            case "euler" -> false;
            case "stochastic" -> true;
            default -> throw new CliException("--sampler must be euler or stochastic, got '" + sampler + "'");
        };
    }
}
