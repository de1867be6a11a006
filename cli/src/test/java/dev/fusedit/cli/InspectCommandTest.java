package dev.fusedit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class InspectCommandTest {

    @Test
    void largeScaleConfigHasThePublishedParameterCounts() {
        String out = CliRuns.outputOf("inspect", "--config", "../configs/fusedit/large-scale.yaml");
        assertThat(out).containsPattern("dit \\(DiT stream, trainable\\)\\s+2,024,828,480");
        assertThat(out).containsPattern("llm \\(text stream, frozen\\)\\s+2,614,341,888");
        assertThat(out).containsPattern("total\\s+4,639,170,368");
    }

    @Test
    void exactlyOneOfModelAndConfigIsRequired() {
        CliRuns.errorOf("inspect");
        assertThat(CliRuns.errorOf("inspect", "--model", "a", "--config", "b")).contains("mutually exclusive");
    }

    @Test
    void unknownBaseModelIsNamed(@TempDir Path dir) throws IOException {
        Path yaml = Files.writeString(dir.resolve("model.yaml"), "model:\n  name: FuseDiT\n  base: google/gemma-7b\n");
        assertThat(CliRuns.errorOf("inspect", "--config", yaml.toString())).contains("model.base").contains("google/gemma-7b").contains("google/gemma-2-2b");
    }
}
