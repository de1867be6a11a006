package dev.fusedit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.tensor.io.FileTrees;
import dev.fusedit.training.TinyTrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * studies/smoke.yaml end to end on the tests' tiny model: 2 variants x 2 seeds of 4 steps, each
 * scored at steps 2 and 4; then --resume redoes nothing, and brings back exactly what was taken
 * out of the state: one evaluation, and a run as if killed in training after its step-2 checkpoint.
 */
class StudySmokeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private int study(Path out, boolean resume) throws IOException {
        Path tiny = TinyTrainingConfig.write(dir, "  max_steps: 100\n  checkpointing_steps: 50\n", "", 2, 12);
        List<String> args = new ArrayList<>(List.of("study", "-c", "../studies/smoke.yaml", "--out", out.toString(),
                "--set", "base=" + tiny, "--set", "eval.prompts=../benchmarks/shapes-eval.jsonl"));
        if (resume) args.add("--resume");
        return Main.commandLine().execute(args.toArray(String[]::new));
    }

    /** evaluated_at of every evaluation, by "variant/seed/step", and trained_at by "variant/seed". */
    private static Map<String, String> stamps(JsonNode state) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode r : state.get("runs")) {
            String run = r.get("variant").asText() + "/" + r.get("seed").asInt();
            out.put(run, r.get("trained_at").asText());
            for (JsonNode e : r.get("evals")) out.put(run + "/" + e.get("step").asLong(), e.get("evaluated_at").asText());
        }
        return out;
    }

    private static JsonNode runOf(JsonNode root, String variant, int seed) {
        for (JsonNode r : root.get("runs")) if (r.get("variant").asText().equals(variant) && r.get("seed").asInt() == seed) return r;
        throw new AssertionError("no run " + variant + " seed " + seed);
    }

    private static void removeEval(JsonNode run, long step) {
        ArrayNode evals = (ArrayNode) run.get("evals");
        for (int i = 0; i < evals.size(); i++) if (evals.get(i).get("step").asLong() == step) evals.remove(i--);
    }

    @Test
    void aTinyStudyRunsResumesWithoutRedoingAndFinishesWhatWasTakenOut() throws IOException {
        Path out = dir.resolve("smoke");
        assertThat(study(out, false)).isZero();

        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertThat(report.get("runs")).hasSize(4);
        for (JsonNode r : report.get("runs")) {
            assertThat(r.get("evals")).extracting(e -> e.get("step").asLong()).containsExactly(2L, 4L);
            assertThat(r.get("minutes").asDouble()).isPositive();
            JsonNode last = r.get("evals").get(1);
            assertThat(last.get("categories")).hasSize(6);
            assertThat(last.get("overall").asDouble()).isBetween(0.0, 1.0);
            assertThat(last.get("objects_per_image").asDouble()).isNotNegative();
            assertThat(last.get("minutes").asDouble()).isEqualTo(r.get("minutes").asDouble());
        }
        assertThat(report.get("runs")).extracting(r -> r.get("variant").asText() + "/" + r.get("seed").asInt())
                .containsExactly("logit-0/1", "logit-0/2", "logit-neg/1", "logit-neg/2");
        String md = Files.readString(out.resolve("report.md"));
        assertThat(md).contains("## logit-0: trainer.logit_mean=0.0").contains("## logit-neg: trainer.logit_mean=-0.5").contains("| 4 | 2 |");
        for (String png : List.of("score.png", "objects.png")) assertThat(ImageIO.read(out.resolve(png).toFile())).as(png).isNotNull();
        BufferedImage grid = ImageIO.read(out.resolve("samples.png").toFile());
        assertThat(grid.getWidth()).as("two columns of 128-pixel cells").isBetween(2 * 128, 3 * 128);
        assertThat(grid.getHeight()).as("six rows, one prompt per category").isGreaterThan(6 * 128);
        Path run = out.resolve("runs/logit-neg/seed-2");
        assertThat(run.resolve("checkpoints/step-0000002")).isDirectory();
        assertThat(run.resolve("evals/step-0000004/report.json")).isRegularFile();

        // everything done: --resume redoes nothing (the state and every run's metrics stay as they are)
        Path stateFile = out.resolve("study-state.json");
        String state = Files.readString(stateFile), metrics = Files.readString(run.resolve("metrics.jsonl"));
        Map<String, String> stamps = stamps(JSON.readTree(state));
        assertThat(stamps).hasSize(4 + 8);
        assertThat(study(out, true)).isZero();
        assertThat(Files.readString(stateFile)).isEqualTo(state);
        assertThat(Files.readString(run.resolve("metrics.jsonl"))).isEqualTo(metrics);
        // without --resume a finished study is not overwritten
        assertThat(CliRuns.errorOf("study", "-c", "../studies/smoke.yaml", "--out", out.toString(), "--set", "base=" + dir.resolve("tiny.yaml"),
                "--set", "eval.prompts=../benchmarks/shapes-eval.jsonl")).contains("holds a study already").contains("--resume");

        // nor resumed with other evaluation settings (its finished runs would not compare with new ones)
        assertThat(CliRuns.errorOf("study", "-c", "../studies/smoke.yaml", "--out", out.toString(), "--set", "base=" + dir.resolve("tiny.yaml"),
                "--set", "eval.prompts=../benchmarks/shapes-eval.jsonl", "--set", "eval.samples=2", "--resume"))
                .contains("differs from the study").contains("at eval");
        assertThat(Files.readString(stateFile)).isEqualTo(state);
        // nor on a base config edited since it started (the same path, other content)
        Path base = dir.resolve("tiny.yaml");
        String baseText = Files.readString(base);
        assertThat(baseText).contains("max_steps: 100");
        Files.writeString(base, baseText.replace("max_steps: 100", "max_steps: 101"));
        assertThat(CliRuns.errorOf("study", "-c", "../studies/smoke.yaml", "--out", out.toString(), "--set", "base=" + base,
                "--set", "eval.prompts=../benchmarks/shapes-eval.jsonl", "--resume"))
                .contains("(the study's base) differs from the one").contains("base_config");
        Files.writeString(base, baseText);
        assertThat(Files.readString(stateFile)).isEqualTo(state);

        // take out one evaluation (from the state and the report) and, for logit-0 seed 1, everything after its step-2
        // checkpoint, as a kill during training would leave it
        ObjectNode edited = (ObjectNode) JSON.readTree(state);
        removeEval(runOf(edited, "logit-neg", 2), 4);
        ObjectNode killed = (ObjectNode) runOf(edited, "logit-0", 1);
        killed.put("trained", false);
        removeEval(killed, 4);
        Files.writeString(stateFile, JSON.writeValueAsString(edited));
        ObjectNode editedReport = (ObjectNode) report.deepCopy();
        removeEval(runOf(editedReport, "logit-neg", 2), 4);
        Files.writeString(out.resolve("report.json"), JSON.writeValueAsString(editedReport));
        Path killedRun = out.resolve("runs/logit-0/seed-1");
        FileTrees.delete(killedRun.resolve("checkpoints/step-0000004"));
        double minutesAtStep2 = runOf(report, "logit-0", 1).get("evals").get(0).get("minutes").asDouble();

        assertThat(study(out, true)).isZero();
        JsonNode after = JSON.readTree(stateFile.toFile());
        Map<String, String> stampsAfter = stamps(after);
        // what was taken out is back, with new stamps; nothing else was redone
        assertThat(stampsAfter.keySet()).isEqualTo(stamps.keySet());
        for (String k : stamps.keySet()) {
            boolean redone = k.equals("logit-neg/2/4") || k.equals("logit-0/1") || k.equals("logit-0/1/4");
            assertThat(stampsAfter.get(k)).as(k).matches(s -> redone != s.equals(stamps.get(k)));
        }
        JsonNode reportAfter = JSON.readTree(out.resolve("report.json").toFile());
        assertThat(runOf(reportAfter, "logit-neg", 2).get("evals")).extracting(e -> e.get("step").asLong()).containsExactly(2L, 4L);
        // the killed run went on from its step-2 checkpoint: its minutes there carried over, and its metrics again end at step 4
        JsonNode resumed = runOf(after, "logit-0", 1);
        assertThat(resumed.get("final_step").asLong()).isEqualTo(4);
        assertThat(resumed.get("minutes").asDouble()).isGreaterThan(minutesAtStep2);
        assertThat(resumed.get("evals").get(0).get("minutes").asDouble()).isEqualTo(minutesAtStep2);
        assertThat(Files.readAllLines(killedRun.resolve("metrics.jsonl"))).hasSize(4);
        assertThat(Files.readString(run.resolve("metrics.jsonl"))).isEqualTo(metrics);
    }
}
