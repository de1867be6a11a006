package dev.fusedit.cli;

import dev.fusedit.cli.bench.GemmRate;
import dev.fusedit.cli.bench.StepBreakdown;
import dev.fusedit.tensor.bench.ProfilingKernels;
import dev.fusedit.tensor.kernels.KernelProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.tensor.io.FileTrees;
import dev.fusedit.training.Trainer;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.data.TrainingBatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * `fusedit bench train-step -c FILE.yaml`: the median time of one full training step (text
 * stream, DiT forward and backward, clipping, AdamW, EMA) on one fixed batch, as
 * scripts/peers/torch_fusedit_step.py times PyTorch's (it also reuses one batch), and the step's
 * floor: its GEMM and attention FLOPs (counted by running one more step under
 * {@link ProfilingKernels}) at our GEMM's rate on a 1024³ product measured in the same process.
 * With --json the line carries the model's dims under the peer's names, so it can be passed on
 * as {@code torch_fusedit_step.py --from-json LINE}, followed by our figures.
 */
@Command(name = "train-step", mixinStandardHelpOptions = true,
        description = "Time one training step of the config's model (median after warm-up); --json prints the dims for the PyTorch peer.")
final class BenchTrainStepCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "training YAML")
    Path config;

    @Mixin
    ConfigOverridesOption sets = new ConfigOverridesOption();

    @Option(names = "--steps", defaultValue = "10", description = "timed steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed steps first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--json", description = "print one JSON line: the model's dims and ms_per_step, then flops_per_step, gemm_gflops and floor_ratio")
    boolean json;

    @Option(names = "--breakdown", description = "also print where one more step's time goes: each kernel (calls, ms, GFLOP/s) and the time between kernel calls")
    boolean breakdown;

    @Override
    public Integer call() throws Exception {
        if (steps < 1) throw new CliException("--steps must be at least 1");
        if (warmup < 0) throw new CliException("--warmup must not be negative");
        TrainConfig cfg = TrainConfig.read(config, sets.overrides);
        Path scratch = Files.createTempDirectory("fusedit-bench-");
        double[] ms = new double[steps];
        FuseDiTConfig model;
        ProfilingKernels profile;
        double profiledSeconds;
        int image, channels;
        // the config's own run length, so that its learning-rate schedule (a cosine needs max_steps
        // beyond its warm-up) is the one it trains with; only the first warmup + steps are run
        try (Trainer trainer = new Trainer(cfg, scratch, Math.max(warmup + steps, cfg.trainer().maxSteps()), 1, null)) {
            if (!(trainer.model() instanceof FuseDiT fuseDiT)) throw new CliException(config + ": bench train-step times FuseDiT training configs");
            model = fuseDiT.config;
            TrainingBatch batch = trainer.batch(0);
            channels = batch.images().size(1);
            image = batch.images().size(2);
            for (int s = 0; s < warmup + steps; s++) {
                long t0 = System.nanoTime();
                trainer.trainStep(s, batch);
                if (s >= warmup) ms[s - warmup] = (System.nanoTime() - t0) / 1e6;
            }
            profile = new ProfilingKernels(KernelProvider.current());
            long p0 = System.nanoTime();
            try (var profiling = KernelProvider.use(profile)) {
                trainer.trainStep(warmup + steps, batch);
            }
            profiledSeconds = (System.nanoTime() - p0) / 1e9;
        } finally {
            FileTrees.delete(scratch);
        }
        Arrays.sort(ms);
        double median = steps % 2 == 1 ? ms[steps / 2] : (ms[steps / 2 - 1] + ms[steps / 2]) / 2;
        double flops = profile.flops(), gemm = GemmRate.measure(1024, 1024, 1024);
        double floorRatio = flops / gemm / (median / 1e3);
        var b = model.base();
        if (json) {
            ObjectNode line = new ObjectMapper().createObjectNode();
            line.put("hidden", model.ditHiddenSize());
            line.put("layers", model.ditNumHiddenLayers());
            line.put("heads", b.numAttentionHeads());
            line.put("kv_heads", b.numKeyValueHeads());
            line.put("head_dim", b.headDim());
            line.put("intermediate", b.intermediateSize());
            line.put("vocab", b.vocabSize());
            line.put("text_len", cfg.data().maxPromptLength());
            line.put("image", image);
            line.put("channels", channels);
            line.put("patch", model.patchSize());
            line.put("batch", cfg.data().batchSize());
            line.put("ms_per_step", Math.round(median * 100) / 100.0);
            line.put("flops_per_step", Math.round(flops));
            line.put("gemm_gflops", Math.round(gemm / 1e8) / 10.0);
            line.put("floor_ratio", Math.round(floorRatio * 1000) / 1000.0);
            System.out.println(line);
        } else {
            System.out.printf("%s: %.1f ms a training step (median of %d after %d warm-up; min %.1f, max %.1f), batch %d, %dx%d, DiT hidden %d x %d layers%n",
                    config.getFileName(), median, steps, warmup, ms[0], ms[steps - 1], cfg.data().batchSize(), image, image,
                    model.ditHiddenSize(), model.ditNumHiddenLayers());
            System.out.printf("floor: %.2f GFLOP a step at our GEMM's %.0f GFLOP/s = %.1f ms; the step runs at %.2f of it%n",
                    flops / 1e9, gemm / 1e9, flops / gemm * 1e3, floorRatio);
            if (breakdown) StepBreakdown.print(profile, profiledSeconds, gemm);
        }
        return 0;
    }
}
