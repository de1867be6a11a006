package dev.fusedit.spark;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.shapes.ShapesBenchmark;
import dev.fusedit.shapes.ShapesEvaluator;
import dev.fusedit.shapes.ShapesPrompt;
import dev.fusedit.shapes.ShapesPromptFile;
import dev.fusedit.spark.cli.SparkMain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `spark eval-shapes` writes the report `eval-shapes` writes on one machine. */
class SparkShapesEvalJobTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        LocalSpark.session();
    }

    @Test
    void theReportEqualsTheOneMachineBenchmark() throws IOException {
        // every 40th benchmark prompt: all categories, few enough for a test
        List<String> lines = Files.readAllLines(Path.of("..").resolve(ShapesPromptFile.DEFAULT));
        List<String> some = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += 40) some.add(lines.get(i));
        Path promptFile = Files.writeString(dir.resolve("prompts.jsonl"), String.join("\n", some) + "\n");
        List<ShapesPrompt> prompts = ShapesPromptFile.read(promptFile);

        Path report = dir.resolve("report.json");
        int code = SparkMain.commandLine().execute("eval-shapes", "--master", "local[2]", "--model", LocalSpark.MODEL.toString(),
                "--prompts", promptFile.toString(), "--samples", "2", "--steps", "4", "--batch", "3", "--partitions", "3",
                "--out", report.toString());
        assertThat(code).isZero();

        String expected;
        try (FuseDiTPipeline pipe = FuseDiTPipeline.load(LocalSpark.MODEL)) {
            // the model's own guidance, as the command without --guidance
            var options = new SamplingSettings(4, null, null, 5).options("");
            expected = ShapesBenchmark.run(pipe, prompts, new ShapesEvaluator(2), options, 5, "test").report().toJson();
        }
        assertThat(Files.readString(report)).isEqualTo(expected);
        assertThat(dir.resolve("report-grid.png")).isRegularFile();
    }
}
