package dev.fusedit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.cli.bench.GemmRate;
import dev.fusedit.cli.bench.StepBreakdown;
import dev.fusedit.cli.bench.MachineFacts;
import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.model.pipeline.SamplingListener;
import dev.fusedit.tensor.bench.ProfilingKernels;
import dev.fusedit.tensor.io.FileTrees;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.training.Trainer;
import dev.fusedit.training.config.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * `fusedit bench denoise-step`: a denoising step of a shapes-size model as eval-shapes and sample
 * run it (one batch of images with the guidance batch, through FuseDiTPipeline), against its floor:
 * the step's GEMM and attention FLOPs (one step run under {@link ProfilingKernels}) at our GEMM's
 * rate on a 1024³ product measured in the same run. Also the process's CPU time over the timed
 * steps split into user and kernel (system) time, where page faults and thread wake-ups show.
 * The model is a pipeline folder (--model, the bundled one by default) or the untrained model of a
 * training config (-c, with --set overrides: any size without training it first).
 */
@Command(name = "denoise-step", mixinStandardHelpOptions = true,
        description = "Time a denoising step of a shapes-size model (a batch of images, guidance batch) against its FLOP floor, with user/system CPU time.")
final class BenchDenoiseStepCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--model", description = "pipeline folder (default: the bundled model, unless -c is given)")
    Path model;

    @Option(names = {"-c", "--config"}, description = "training YAML: time its untrained model instead of a folder")
    Path config;

    @Mixin
    ConfigOverridesOption sets = new ConfigOverridesOption();

    @Option(names = "--images", defaultValue = "32", description = "images denoised together, as eval-shapes' --batch (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed first steps (default ${DEFAULT-VALUE})")
    int warmup;

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Option(names = "--json", description = "one JSON line")
    boolean json;

    @Option(names = "--breakdown", description = "also print where one step's time goes, by kernel and matmul shape")
    boolean breakdown;

    @Override
    public Integer call() throws Exception {
        if (images < 1) throw new CliException("--images must be at least 1, got " + images);
        if (config == null && !sets.overrides.isEmpty()) throw new CliException("--set needs -c");
        SampleOptions opts = sampling.applyTo(SampleOptions.defaults());
        int steps = opts.steps();
        if (warmup < 1) throw new CliException("--warmup must be at least 1, got " + warmup);
        if (steps <= warmup) throw new CliException("--steps (" + steps + ") must be more than --warmup (" + warmup + ")");
        Path scratch = null;
        try {
            Path dir;
            if (config != null) {
                scratch = Files.createTempDirectory("fusedit-bench-");
                try (Trainer trainer = new Trainer(TrainConfig.read(config, sets.overrides), scratch, 1, 1, null)) {
                    dir = trainer.saveCheckpoint();
                }
            } else {
                dir = ModelLocator.model(model);
            }
            try (FuseDiTPipeline pipe = FuseDiTPipeline.load(dir)) {
                report(pipe, opts, steps);
            }
        } finally {
            if (scratch != null) FileTrees.delete(scratch);
        }
        return 0;
    }

    private void report(FuseDiTPipeline pipe, SampleOptions opts, int steps) {
        List<String> prompts = Collections.nCopies(images, "two red circles left of a blue square");
        long[] seeds = new long[images];
        for (int i = 0; i < images; i++) seeds[i] = i;

        long[] stepStart = {0};
        double[] stepMs = new double[steps];
        MachineFacts.CpuTime[] cpu = new MachineFacts.CpuTime[2];
        pipe.generateEach(prompts, seeds, opts.withListener(new SamplingListener() {
            @Override
            public void onStep(int done, int total) {
                long now = System.nanoTime();
                if (done > 1) stepMs[done - 1] = (now - stepStart[0]) / 1e6;
                if (done == warmup) cpu[0] = MachineFacts.cpuTime();
                if (done == total) cpu[1] = MachineFacts.cpuTime();
                stepStart[0] = now;
            }
        }));
        // step 1 has no start time of its own (the text stream runs before it); the timed ones follow the warm-up
        double[] timed = Arrays.copyOfRange(stepMs, warmup, steps);
        Arrays.sort(timed);
        double median = timed[timed.length / 2];
        MachineFacts.CpuTime used = cpu[1].minus(cpu[0]);

        ProfilingKernels profile = new ProfilingKernels(KernelProvider.current());
        long[] profiled = {0, 0};
        try (var profiling = KernelProvider.use(profile)) {
            pipe.generateEach(prompts, seeds, opts.withSteps(2).withListener(new SamplingListener() {
                @Override
                public void onStep(int done, int total) {
                    if (done == 1) {
                        profile.reset();
                        profiled[0] = System.nanoTime();
                    } else {
                        profile.stop();
                        profiled[1] = System.nanoTime();
                    }
                }
            }));
        }
        double flops = profile.flops(), gemm = GemmRate.measure(1024, 1024, 1024);
        double floorRatio = flops / gemm / (median / 1e3);
        int rows = pipe.guidance(opts) > 1 ? 2 * images : images;
        if (json) {
            ObjectNode line = new ObjectMapper().createObjectNode();
            line.put("images", images);
            line.put("model_rows", rows);
            line.put("ms_per_step", Math.round(median * 100) / 100.0);
            line.put("flops_per_step", Math.round(flops));
            line.put("gemm_gflops", Math.round(gemm / 1e8) / 10.0);
            line.put("floor_ratio", Math.round(floorRatio * 1000) / 1000.0);
            line.put("cpu_user_s", used.user());
            line.put("cpu_system_s", used.system());
            line.put("system_share", Math.round(used.systemShare() * 1000) / 1000.0);
            System.out.println(line);
        } else {
            System.out.println("machine        " + MachineFacts.describe());
            System.out.printf("denoising step %.1f ms (median of %d after %d warm-up; min %.1f, max %.1f), %d images = %d model rows%n",
                    median, timed.length, warmup, timed[0], timed[timed.length - 1], images, rows);
            System.out.printf("floor          %.2f GFLOP a step at our GEMM's %.0f GFLOP/s = %.1f ms; the step runs at %.2f of it%n",
                    flops / 1e9, gemm / 1e9, flops / gemm * 1e3, floorRatio);
            System.out.printf("CPU time       user %.2f s, system %.2f s over the timed steps (system %.0f%%)%n",
                    used.user(), used.system(), 100 * used.systemShare());
        }
        if (breakdown) StepBreakdown.print(profile, (profiled[1] - profiled[0]) / 1e9, gemm);
    }
}
