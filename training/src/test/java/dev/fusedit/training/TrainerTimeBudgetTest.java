package dev.fusedit.training;

import dev.fusedit.training.checkpoint.CheckpointStore;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.tensor.io.FileTrees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * trainer.max_minutes: the run stops when its training time is spent, with a checkpoint of the
 * step reached; the time is kept in the trainer state, so a resumed run adds to it. A test clock
 * that moves one second per reading makes every step cost exactly one second.
 */
class TrainerTimeBudgetTest {
    @TempDir
    static Path dir;
    static Path config;

    @BeforeAll
    static void writeConfig() throws IOException {
        config = TinyTrainingConfig.write(dir, """
                  max_steps: 100
                  checkpointing_steps: 4
                  logging_steps: 1
                  seed: 5
                """, "", 2, 10);
    }

    /** Trains with the budget (minutes) and a one-second-per-reading clock; returns the step reached. */
    private static long train(Path out, double minutes, boolean resume, List<Long> extraCheckpoints) throws IOException {
        AtomicLong seconds = new AtomicLong();
        TrainConfig cfg = TrainConfig.read(config, List.of("trainer.max_minutes=" + minutes));
        try (Trainer t = new Trainer(cfg, out, cfg.trainer().maxSteps(), 1, resume ? out : null)) {
            t.useClock(() -> seconds.getAndIncrement() * 1_000_000_000L);
            t.checkpointAlsoAt(extraCheckpoints);
            t.train();
            return t.step();
        }
    }

    private static List<String> checkpoints(Path run) throws IOException {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theRunStopsWhenItsMinutesAreSpentWithAFinalCheckpoint() throws IOException {
        Path run = dir.resolve("budget");
        assertThat(train(run, 0.1, false, List.of(3L))).isEqualTo(6);
        // every 4 steps, the extra step 3, and the step where the 6 seconds ran out
        assertThat(checkpoints(run)).containsExactly("step-0000003", "step-0000004", "step-0000006");
        assertThat(Trainer.trainSecondsAt(run.resolve("checkpoints/step-0000006"))).isEqualTo(6.0);
        assertThat(Trainer.trainSecondsAt(run.resolve("checkpoints/step-0000004"))).isEqualTo(4.0);

        // resumed with a larger budget it adds to the 6 seconds it has, not starting from zero
        assertThat(train(run, 0.2, true, List.of())).isEqualTo(12);
        assertThat(Trainer.trainSecondsAt(run.resolve("checkpoints/step-0000012"))).isEqualTo(12.0);

        // resumed with the budget spent it trains nothing and writes nothing
        assertThat(train(run, 0.2, true, List.of())).isEqualTo(12);
        assertThat(CheckpointStore.latestIn(run).orElseThrow().getFileName().toString()).isEqualTo("step-0000012");
    }

    @Test
    void aRunKilledBetweenCheckpointsCountsTheTimeOfItsLastCheckpoint() throws IOException {
        Path run = dir.resolve("killed");
        assertThat(train(run, 0.1, false, List.of())).isEqualTo(6);
        // as if killed after step 5: the newest complete checkpoint is step 4, with 4 seconds
        FileTrees.delete(run.resolve("checkpoints/step-0000006"));
        assertThat(train(run, 0.1, true, List.of())).isEqualTo(6);
        assertThat(Trainer.trainSecondsAt(run.resolve("checkpoints/step-0000006"))).isEqualTo(6.0);
    }

    @Test
    void maxStepsStillEndsARunWithTimeLeft() throws IOException {
        Path run = dir.resolve("steps");
        AtomicLong seconds = new AtomicLong();
        TrainConfig cfg = TrainConfig.read(config, List.of("trainer.max_minutes=10"));
        try (Trainer t = new Trainer(cfg, run, 5, 1, null)) {
            t.useClock(() -> seconds.getAndIncrement() * 1_000_000_000L);
            t.train();
            assertThat(t.step()).isEqualTo(5);
            assertThat(t.trainSeconds()).isEqualTo(5.0);
        }
    }

    @Test
    void minutesTheProcessWasStoppedForAreNotTrainingTime() throws IOException {
        Path run = dir.resolve("stopped");
        AtomicLong reading = new AtomicLong();
        TrainConfig cfg = TrainConfig.read(config, List.of("trainer.max_minutes=0.25"));
        try (Trainer t = new Trainer(cfg, run, 100, 1, null)) {
            // one second a step, except that the process is stopped for ten minutes during step 12
            t.useClock(() -> {
                long r = reading.getAndIncrement();
                return (r + (r >= 12 ? 600 : 0)) * 1_000_000_000L;
            });
            t.train();
            assertThat(t.step()).isEqualTo(15);
            assertThat(t.trainSeconds()).isEqualTo(15.0);
        }
    }

    @Test
    void aNegativeBudgetIsRefusedByName() {
        assertThatThrownBy(() -> TrainConfig.read(config, List.of("trainer.max_minutes=-1")))
                .hasMessageContaining("trainer.max_minutes").hasMessageContaining("-1");
    }
}
