package dev.fusedit.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.tensor.io.FileTrees;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.progress.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A trainer state saved by an earlier build still resumes: fixtures/trainer-state holds step 2 of a
 * tiny run (its config, and the metrics of the whole 4-step run) written by the build before the
 * module split and the attention rework. Resumed here, steps 3 and 4 must give the losses that
 * build logged; a parameter layout that moved would load weights into the wrong places.
 */
class TrainerStateCompatibilityTest {
    private static final Path FIXTURE = Path.of("..", "fixtures", "trainer-state");

    @TempDir
    Path dir;

    private Path copyFixture() throws IOException {
        Files.copy(FIXTURE.resolve("text.json"), dir.resolve("text.json"));
        String yaml = Files.readString(FIXTURE.resolve("tiny.yaml")).replace("/tmp/fix/text.json", dir.resolve("text.json").toString().replace("\\", "/"));
        Files.writeString(dir.resolve("tiny.yaml"), yaml);
        FileTrees.copy(FIXTURE.resolve("tiny-step-0000002"), dir.resolve("run/checkpoints/step-0000002"), null);
        return dir.resolve("tiny.yaml");
    }

    @Test
    void aStateFromTheEarlierBuildResumesWithItsLosses() throws IOException {
        Path config = copyFixture();
        try (Trainer t = new Trainer(TrainConfig.read(config), dir.resolve("run"), 4, 1, dir.resolve("run"))) {
            assertThat(t.step()).isEqualTo(2);
            t.train();
        }
        List<JsonNode> expected = MetricsLog.read(FIXTURE.resolve("metrics.jsonl")), got = MetricsLog.read(dir.resolve("run/metrics.jsonl"));
        assertThat(got).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode want = expected.get(2 + i);
            assertThat(got.get(i).get("step").asLong()).isEqualTo(want.get("step").asLong());
            assertThat(got.get(i).get("loss").asDouble()).as("loss at step %d", 3 + i).isCloseTo(want.get("loss").asDouble(), within(1e-6));
            assertThat(got.get(i).get("grad_norm").asDouble()).as("grad norm at step %d", 3 + i).isCloseTo(want.get("grad_norm").asDouble(), within(1e-6));
        }
    }

    @Test
    void aStateWhoseParametersDoNotMatchTheModelIsRefusedByName() throws IOException {
        Path config = copyFixture();
        Path state = dir.resolve("run/checkpoints/step-0000002/trainer/state.json");
        Files.writeString(state, Files.readString(state).replace("\"dit.layers.0.self_attn.q_norm.weight\", \"dit.layers.0.self_attn.k_norm.weight\"",
                "\"dit.layers.0.self_attn.k_norm.weight\", \"dit.layers.0.self_attn.q_norm.weight\""));
        assertThatThrownBy(() -> new Trainer(TrainConfig.read(config), dir.resolve("run"), 4, 1, dir.resolve("run")).close())
                .isInstanceOf(IOException.class).hasMessageContaining("state.json")
                .hasMessageContaining("dit.layers.0.self_attn.q_norm.weight");
    }
}
