package dev.fusedit.cli;

import dev.fusedit.tensor.io.OutputPaths;
import dev.fusedit.training.Trainer;
import dev.fusedit.training.config.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `fusedit train -c FILE.yaml`: rectified-flow training as the reference trains FuseDiT. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a FuseDiT from a training YAML (the reference's sections and keys); flags override the YAML.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "training YAML")
    Path config;

    @Option(names = "--out", description = "output folder (default: runs/<trainer.run>)")
    Path out;

    @Option(names = "--max-steps", description = "override trainer.max_steps")
    Long maxSteps;

    @Option(names = "--logging-steps", description = "override trainer.logging_steps")
    Integer loggingSteps;

    @Option(names = "--resume", description = "a run folder or checkpoint to continue from (its newest complete checkpoint)")
    Path resume;

    @Mixin
    ConfigOverridesOption sets = new ConfigOverridesOption();

    @Mixin
    BackendOption backend = new BackendOption();

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg = TrainConfig.read(config, sets.overrides);
        if (!sets.overrides.isEmpty()) System.err.println("config: " + config + " with " + String.join(", ", sets.overrides));
        Path dir = out != null ? out : Path.of("runs", cfg.trainer().run());
        long steps = maxSteps != null ? maxSteps : cfg.trainer().maxSteps();
        int logging = loggingSteps != null ? loggingSteps : cfg.trainer().loggingSteps();
        if (steps < 1) throw new CliException("--max-steps must be at least 1");
        OutputPaths.checkFolderWritable(dir, "--out");
        backend.apply();
        try (Trainer trainer = new Trainer(cfg, dir, steps, logging, resume)) {
            trainer.train();
        } catch (Trainer.TrainingDiverged e) {
            throw new CliException(e.getMessage());
        }
        System.err.println("done: " + dir.resolve("checkpoints") + " (metrics.jsonl, loss.png in " + dir + ")");
        return 0;
    }
}
