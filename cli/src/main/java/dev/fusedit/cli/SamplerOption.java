package dev.fusedit.cli;

import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * --sampler euler|stochastic, shared by the commands that sample. Without it the model's
 * scheduler/scheduler_config.json decides (diffusers' stochastic_sampling, false when absent).
 */
final class SamplerOption {
    @Option(names = "--sampler", paramLabel = "euler|stochastic",
            description = "euler: deterministic Euler steps; stochastic: each step re-noises its clean-image prediction with fresh noise "
                    + "(default: the model's scheduler config, stochastic_sampling)")
    String sampler;

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
