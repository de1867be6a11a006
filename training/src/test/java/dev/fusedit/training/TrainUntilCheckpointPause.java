package dev.fusedit.training;

import dev.fusedit.training.config.TrainConfig;

import java.nio.file.Path;
import java.util.List;

/**
 * A test-only entry point: trains CONFIG into OUT (logging every step) and, halfway through
 * writing the checkpoint of step STEP, announces "PAUSED-IN-CHECKPOINT STEP" on stderr and
 * sleeps, so that a test can kill the process there with SIGKILL.
 * Usage: {@code java ... TrainUntilCheckpointPause CONFIG OUT STEP}.
 */
public final class TrainUntilCheckpointPause {
    private TrainUntilCheckpointPause() {}

    public static void main(String[] args) throws Exception {
        TrainConfig cfg = TrainConfig.read(Path.of(args[0]), List.of());
        long pauseAt = Long.parseLong(args[2]);
        try (Trainer trainer = new Trainer(cfg, Path.of(args[1]), cfg.trainer().maxSteps(), 1, null)) {
            trainer.onCheckpointWrite((step, partial) -> {
                if (step != pauseAt) return;
                System.err.println("PAUSED-IN-CHECKPOINT " + step);
                System.err.flush();
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            trainer.train();
        }
    }
}
