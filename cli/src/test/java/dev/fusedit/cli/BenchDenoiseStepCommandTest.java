package dev.fusedit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusedit.training.TinyTrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class BenchDenoiseStepCommandTest {

    private static Path tinyConfig(Path dir) throws IOException {
        return TinyTrainingConfig.write(dir, "  max_steps: 10\n  seed: 7\n", "", 3, 10);
    }

    @Test
    void timesAStepOfAConfigsModelAgainstItsFloor(@TempDir Path dir) throws IOException {
        String out = CliRuns.outputOf("bench", "denoise-step", "-c", tinyConfig(dir).toString(), "--set", "model.qk_norm=false",
                "--images", "3", "--steps", "4", "--warmup", "1", "--json");
        JsonNode line = new ObjectMapper().readTree(out.strip());
        assertThat(line.get("images").asInt()).isEqualTo(3);
        assertThat(line.get("model_rows").asInt()).isEqualTo(6); // guidance 6 doubles the batch
        assertThat(line.get("ms_per_step").asDouble()).isPositive();
        assertThat(line.get("flops_per_step").asLong()).isPositive();
        assertThat(line.get("floor_ratio").asDouble()).isPositive();
        assertThat(line.get("cpu_user_s").asDouble()).isNotNegative();
        assertThat(line.get("system_share").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void moreWarmUpThanStepsIsRefused(@TempDir Path dir) throws IOException {
        assertThat(CliRuns.errorOf("bench", "denoise-step", "-c", tinyConfig(dir).toString(), "--steps", "3", "--warmup", "3")).contains("--warmup");
    }
}
