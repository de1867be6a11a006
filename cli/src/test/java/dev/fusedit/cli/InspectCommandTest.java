package dev.fusedit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class InspectCommandTest {

    @Test
    void largeScaleConfigHasThePublishedParameterCounts() {
        String out = run("inspect", "--config", "../configs/fusedit/large-scale.yaml");
        assertThat(out).containsPattern("dit \\(DiT stream, trainable\\)\\s+2,024,828,480");
        assertThat(out).containsPattern("llm \\(text stream, frozen\\)\\s+2,614,341,888");
        assertThat(out).containsPattern("total\\s+4,639,170,368");
    }

    @Test
    void exactlyOneOfModelAndConfigIsRequired() {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("inspect")).isEqualTo(2);
        assertThat(cli.execute("inspect", "--model", "a", "--config", "b")).isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");
    }

    @Test
    void unknownBaseModelIsNamed(@TempDir Path dir) throws IOException {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        Path yaml = Files.writeString(dir.resolve("model.yaml"), "model:\n  name: FuseDiT\n  base: google/gemma-7b\n");
        assertThat(cli.execute("inspect", "--config", yaml.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("model.base").contains("google/gemma-7b").contains("google/gemma-2-2b");
    }

    private static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute(args)).isZero();
        } finally {
            System.setOut(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
