package dev.fusedit.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.progress.MetricsLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A resumed run must compute exactly the losses of an uninterrupted one, even after a SIGKILL mid-checkpoint. */
class TrainerResumeTest {
    @TempDir
    static Path dir;
    static Path config;

    @BeforeAll
    static void writeConfig() throws IOException {
        config = TinyTrainingConfig.write(dir, """
                  max_steps: 6
                  checkpointing_steps: 2
                  logging_steps: 1
                  seed: 7
                """, """
                ema:
                  decay: 0.9
                  update_steps: 2
                """, 3, 10);
    }

    private static List<Double> losses(Path run) throws IOException {
        List<Double> out = new ArrayList<>();
        for (JsonNode r : MetricsLog.read(run.resolve("metrics.jsonl"))) out.add(r.get("loss").asDouble());
        return out;
    }

    private static void train(Path out, long steps, Path resume) throws IOException {
        try (Trainer t = new Trainer(TrainConfig.read(config), out, steps, 1, resume)) {
            t.train();
        }
    }

    @Test
    void resumedRunReproducesTheUninterruptedLossesBitForBit() throws IOException {
        Path whole = dir.resolve("whole"), split = dir.resolve("split");
        train(whole, 6, null);
        train(split, 3, null);
        train(split, 6, split);
        List<Double> a = losses(whole), b = losses(split);
        assertThat(a).hasSize(6);
        assertThat(b).containsExactlyElementsOf(a);
        assertThat(Files.exists(whole.resolve("loss.png"))).isTrue();
        assertThat(Files.exists(whole.resolve("checkpoints/step-0000006/model_index.json"))).isTrue();
    }

    @Test
    void aRunKilledWhileWritingACheckpointResumesFromTheLastCompleteOne() throws Exception {
        Path whole = dir.resolve("whole-ref"), killed = dir.resolve("killed");
        train(whole, 6, null);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), TrainUntilCheckpointPause.class.getName(),
                config.toString(), killed.toString(), "4")
                .redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            boolean paused = false;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("PAUSED-IN-CHECKPOINT 4")) {
                    paused = true;
                    break;
                }
            }
            assertThat(paused).as("the child reached the middle of checkpoint 4").isTrue();
            // a second trainer on the folder the child is writing is refused, not interleaved with it
            assertThatThrownBy(() -> train(killed, 6, null)).hasMessageContaining(killed.toString())
                    .hasMessageContaining("another trainer is writing to this folder").hasMessageContaining("process " + p.pid());
            p.destroyForcibly(); // SIGKILL
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.exists(killed.resolve("checkpoints/step-0000004"))).as("no half-written checkpoint").isFalse();
        assertThat(Files.exists(killed.resolve("checkpoints/step-0000002/trainer/state.json"))).isTrue();
        train(killed, 6, killed);
        assertThat(losses(killed)).containsExactlyElementsOf(losses(whole));
    }

    @Test
    void unknownKeysAreNamed() throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(config).replace("logging_steps: 1", "logging_steps: 1\n  warp_speed: 9"));
        assertThatThrownBy(() -> TrainConfig.read(bad)).hasMessageContaining("trainer.warp_speed").hasMessageContaining("unknown key");
    }
}
