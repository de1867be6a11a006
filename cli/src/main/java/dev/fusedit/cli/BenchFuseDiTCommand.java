package dev.fusedit.cli;

import dev.fusedit.cli.bench.FuseDiTBenchmark;
import dev.fusedit.cli.bench.MachineFacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `fusedit bench fusedit-step`: one denoising forward of the large-scale FuseDiT with synthetic BF16 weights. */
@Command(name = "fusedit-step", mixinStandardHelpOptions = true,
        description = "Time one denoising forward of a real-size FuseDiT (synthetic BF16 weights, written once) against its FLOP floor.")
final class BenchFuseDiTCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, defaultValue = "configs/fusedit/large-scale.yaml", description = "training YAML whose model section to build")
    Path config;

    @Option(names = "--dir", defaultValue = "${java.io.tmpdir}/fusedit-bench/fusedit-large-scale-synthetic")
    Path dir;

    @Option(names = "--resolution", defaultValue = "512")
    int resolution;

    @Option(names = "--text-tokens", defaultValue = "256")
    int textTokens;

    @Option(names = "--steps", defaultValue = "1", description = "steps to time (the best is reported)")
    int steps;

    @Option(names = "--prepare-only", description = "only write the synthetic checkpoint")
    boolean prepareOnly;

    @Override
    public Integer call() throws Exception {
        FuseDiTBenchmark.prepare(config, dir);
        if (prepareOnly) return 0;
        FuseDiTBenchmark.Result r = FuseDiTBenchmark.run(dir, resolution, textTokens, steps);
        System.out.println("machine        " + MachineFacts.describe());
        System.out.printf("weights        %.2f GB, memory-mapped (%s)%n", r.weightBytes() / 1e9, dir);
        System.out.printf("load           %.2f s; text stream once: %.2f s%n", r.loadSeconds(), r.textSeconds());
        System.out.printf("step           %.2f s (batch 2, %d px, %d text tokens)%n", r.secondsPerStep(), resolution, textTokens);
        System.out.printf("floor          %.2f s = %.2f TFLOP at our GEMM's %.1f GFLOP/s -> step is %.2fx the floor%n", r.floorSeconds(),
                r.stepFlops() / 1e12, r.gemmFlopsPerSecond() / 1e9, r.secondsPerStep() / r.floorSeconds());
        System.out.printf("peak RSS       %.2f GB%n", r.peakRssBytes() / 1e9);
        return 0;
    }
}
