package dev.fusedit.cli;

import dev.fusedit.training.TinyTrainingConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BenchTrainStepCommandTest {

    /** A tiny FuseDiT config (text hidden 32, 2 layers, 16x16 patches of a 32x32 image, batch 3). */
    private static Path tinyConfig(Path dir) throws IOException {
        return TinyTrainingConfig.write(dir, """
                  max_steps: 6
                  checkpointing_steps: 2
                  logging_steps: 1
                  seed: 7
                """, """
                ema:
                  decay: 0.9
                  update_steps: 1
                """, 3, 10);
    }

    @Test
    void jsonLineCarriesTheDimsThePyTorchPeerReads(@TempDir Path dir) throws IOException {
        Path config = tinyConfig(dir);
        String out = CliRuns.outputOf("bench", "train-step", "-c", config.toString(), "--steps", "2", "--warmup", "1", "--json");
        JsonNode line = new ObjectMapper().readTree(out.strip());
        List<String> keys = List.of("hidden", "layers", "heads", "kv_heads", "head_dim", "intermediate", "vocab", "text_len",
                "image", "channels", "patch", "batch", "ms_per_step", "flops_per_step", "gemm_gflops", "floor_ratio");
        List<String> names = new java.util.ArrayList<>();
        line.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyElementsOf(keys);
        assertThat(line.get("hidden").asInt()).isEqualTo(32);
        assertThat(line.get("layers").asInt()).isEqualTo(2);
        assertThat(line.get("heads").asInt()).isEqualTo(2);
        assertThat(line.get("kv_heads").asInt()).isEqualTo(1);
        assertThat(line.get("head_dim").asInt()).isEqualTo(16);
        assertThat(line.get("intermediate").asInt()).isEqualTo(64);
        assertThat(line.get("text_len").asInt()).isEqualTo(10);
        assertThat(line.get("image").asInt()).isEqualTo(32);
        assertThat(line.get("channels").asInt()).isEqualTo(3);
        assertThat(line.get("patch").asInt()).isEqualTo(8);
        assertThat(line.get("batch").asInt()).isEqualTo(3);
        assertThat(line.get("ms_per_step").asDouble()).isPositive();
        assertThat(line.get("flops_per_step").asLong()).isPositive();
        assertThat(line.get("gemm_gflops").asDouble()).isPositive();
        assertThat(line.get("floor_ratio").asDouble()).isPositive();
    }

    @Test
    void aConfigWhoseScheduleNeedsItsOwnRunLengthIsTimedWithIt(@TempDir Path dir) throws IOException {
        // a cosine schedule with 100 warm-up steps is valid for the config's 1,000 steps, not for the 3 steps timed
        Path config = TinyTrainingConfig.write(dir, """
                  max_steps: 1000
                  checkpointing_steps: 500
                  logging_steps: 10
                  seed: 7
                """, """
                lr_scheduler:
                  name: "cosine"
                  num_warmup_steps: 100
                """, 3, 10);
        JsonNode line = new ObjectMapper().readTree(CliRuns.outputOf("bench", "train-step", "-c", config.toString(), "--steps", "2", "--warmup", "1", "--json").strip());
        assertThat(line.get("ms_per_step").asDouble()).isPositive();
    }

    @Test
    void stepsMustBePositive(@TempDir Path dir) throws IOException {
        assertThat(CliRuns.errorOf("bench", "train-step", "-c", tinyConfig(dir).toString(), "--steps", "0")).contains("--steps");
    }
}
