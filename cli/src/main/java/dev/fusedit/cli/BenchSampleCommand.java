package dev.fusedit.cli;

import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.cli.bench.MachineFacts;
import dev.fusedit.cli.bench.SampleBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `fusedit bench sample`: one 512 px image from a real-size pipeline with synthetic weights. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Generate one image with the large-scale FuseDiT (synthetic BF16) and the SD3 VAE (synthetic): s/step, VAE decode s, peak RSS.")
final class BenchSampleCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, defaultValue = "configs/fusedit/large-scale.yaml", description = "the model's training YAML (default: ${DEFAULT-VALUE})")
    Path config;

    @Option(names = "--transformer-dir", defaultValue = "${java.io.tmpdir}/fusedit-bench/fusedit-large-scale-synthetic", description = "where the synthetic BF16 transformer is written once and reused (default: ${DEFAULT-VALUE})")
    Path transformerDir;

    @Option(names = "--tokenizer", defaultValue = "fixtures/tokenizer/gemma-256k/tokenizer.json", description = "Gemma tokenizer.json (default: ${DEFAULT-VALUE})")
    Path tokenizer;

    @Option(names = "--dir", defaultValue = "${java.io.tmpdir}/fusedit-bench/sample-512", description = "the pipeline folder around it, with the synthetic SD3 VAE (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--resolution", defaultValue = "512", description = "image size in pixels (default: ${DEFAULT-VALUE})")
    int resolution;

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Option(names = "--prepare-only", description = "write the synthetic weights and stop")
    boolean prepareOnly;

    @Override
    public Integer call() throws Exception {
        SampleBenchmark.prepare(config, transformerDir, tokenizer, dir);
        if (prepareOnly) return 0;
        // the synthetic folder names no guidance_scale: the paper's guidance, said out loud for the printout
        SampleOptions opts = sampling.applyTo(SampleOptions.defaults().withGuidance(SampleOptions.DEFAULT_GUIDANCE));
        SampleBenchmark.Result r = SampleBenchmark.run(dir, resolution, opts);
        System.out.println("machine        " + MachineFacts.describe());
        System.out.printf("image          %d px, %d steps, guidance %s (batch %d)%n", resolution, opts.steps(), opts.guidance(), opts.guidance() > 1 ? 2 : 1);
        System.out.printf("denoising      %.2f s/step (mean after the first)%n", r.secondsPerStep());
        System.out.printf("VAE decode     %.2f s%n", r.vaeSeconds());
        System.out.printf("total          %.1f s; peak RSS %.2f GB%n", r.totalSeconds(), r.peakRssBytes() / 1e9);
        return 0;
    }
}
