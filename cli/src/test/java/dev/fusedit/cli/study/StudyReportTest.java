package dev.fusedit.cli.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusedit.cli.study.StudyState.EvalRecord;
import dev.fusedit.cli.study.StudyState.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Means and spreads over seeds from hand-made evaluations, and what report.json, report.md and the plots hold. */
class StudyReportTest {
    @TempDir
    Path dir;

    private static EvalRecord eval(long step, double minutes, double overall, double counting, double objects, double extra) {
        Map<String, Double> cats = new LinkedHashMap<>();
        cats.put("single_object", overall + 0.1);
        cats.put("counting", counting);
        return new EvalRecord(step, minutes, overall, cats, objects, extra, "2025-01-01T00:00:00Z");
    }

    private static RunRecord run(String variant, int seed, long finalStep, double minutes, EvalRecord... evals) {
        return new RunRecord(variant, seed, true, finalStep, minutes, "2025-01-01T00:00:00Z", List.of(evals));
    }

    /** Variant a: runs of 4 steps, both seeds scored at 2 and 4. Variant b: runs of minutes, ending at steps 7 and 9, scored at 2 and at the end. */
    private static final List<RunRecord> RUNS = List.of(
            run("a", 1, 4, 2.0, eval(2, 1.0, 0.2, 0.00, 3.0, 0.5), eval(4, 2.0, 0.4, 0.10, 2.0, 0.25)),
            run("a", 2, 4, 2.4, eval(2, 1.2, 0.3, 0.10, 5.0, 0.6), eval(4, 2.4, 0.6, 0.30, 2.5, 0.20)),
            run("b", 1, 7, 3.0, eval(2, 0.8, 0.1, 0.00, 4.0, 0.7), eval(7, 3.0, 0.5, 0.20, 2.2, 0.1)),
            run("b", 2, 9, 3.0, eval(2, 0.6, 0.3, 0.20, 6.0, 0.5), eval(9, 3.0, 0.7, 0.40, 2.4, 0.3)));

    @Test
    void rowsHoldTheMeanAndMinMaxOverSeedsPerVariantAndStep() {
        List<StudyReport.Row> rows = StudyReport.aggregate(List.of("a", "b"), List.of(2L, 4L), RUNS);
        assertThat(rows).extracting(r -> r.variant() + "@" + r.label()).containsExactly("a@2", "a@4", "b@2", "b@end");

        StudyReport.Row a4 = rows.get(1);
        assertThat(a4.seeds()).containsExactly(1, 2);
        assertThat(a4.overall().n()).isEqualTo(2);
        assertThat(a4.overall().mean()).isCloseTo(0.5, within(1e-12));
        assertThat(a4.overall().min()).isEqualTo(0.4);
        assertThat(a4.overall().max()).isEqualTo(0.6);
        assertThat(a4.minutes().mean()).isCloseTo(2.2, within(1e-12));
        assertThat(a4.categories().get("counting").mean()).isCloseTo(0.2, within(1e-12));
        assertThat(a4.categories().get("counting").max()).isEqualTo(0.3);
        assertThat(a4.categories().get("single_object").mean()).isCloseTo(0.6, within(1e-12));
        assertThat(a4.objectsPerImage().mean()).isCloseTo(2.25, within(1e-12));
        assertThat(a4.extraShare().min()).isEqualTo(0.2);

        // the ends of runs of minutes, at different steps, are one row
        StudyReport.Row bEnd = rows.get(3);
        assertThat(bEnd.steps()).containsExactly(7L, 9L);
        assertThat(bEnd.overall().mean()).isCloseTo(0.6, within(1e-12));
        assertThat(bEnd.objectsPerImage().min()).isEqualTo(2.2);
        assertThat(bEnd.objectsPerImage().max()).isEqualTo(2.4);

        // one seed only: a mean without a spread
        List<StudyReport.Row> one = StudyReport.aggregate(List.of("a"), List.of(2L, 4L), RUNS.subList(0, 1));
        assertThat(one.get(1).overall().format(3)).isEqualTo("0.400");
        assertThat(a4.overall().format(3)).isEqualTo("0.500 (0.400–0.600)");
    }

    @Test
    void theReportsSayWhatTheRowsHold() throws IOException {
        List<StudyReport.Row> rows = StudyReport.aggregate(List.of("a", "b"), List.of(2L, 4L), RUNS);
        String md = StudyReport.markdown("Study t", List.of("header line"), Map.of("a", "the base config", "b", "model.patch_size=2"), rows);
        assertThat(md).startsWith("# Study t\n\nheader line\n").contains("(min–max)")
                .contains("| 4 | 2 | 2.2 (2.0–2.4) | 0.500 (0.400–0.600) | 0.600 (0.500–0.700) | 0.200 (0.100–0.300) | 2.25 (2.00–2.50) | 0.23 (0.20–0.25) |")
                .contains("| b @ end (7–9) | 2 | 3.0 (3.0–3.0) | 0.600 (0.500–0.700) |")
                .contains("## b: model.patch_size=2")
                .contains("| step | seeds | minutes | overall | single_object | counting | objects/image | extra share |");

        JsonNode json = new ObjectMapper().readTree(StudyReport.json(RUNS));
        assertThat(json.get("runs")).hasSize(4);
        JsonNode b2 = json.get("runs").get(3);
        assertThat(b2.get("variant").asText()).isEqualTo("b");
        assertThat(b2.get("seed").asInt()).isEqualTo(2);
        assertThat(b2.get("minutes").asDouble()).isEqualTo(3.0);
        assertThat(b2.get("evals").get(1).get("step").asLong()).isEqualTo(9);
        assertThat(b2.get("evals").get(1).get("overall").asDouble()).isEqualTo(0.7);
        assertThat(b2.get("evals").get(1).get("categories").get("counting").asDouble()).isEqualTo(0.4);
        assertThat(b2.get("evals").get(1).get("objects_per_image").asDouble()).isEqualTo(2.4);
        assertThat(b2.get("evals").get(1).has("evaluated_at")).isFalse();

        StudyReport.plots(List.of("a", "b"), rows, RUNS, dir);
        assertThat(ImageIO.read(dir.resolve("score.png").toFile()).getWidth()).isEqualTo(900);
        assertThat(ImageIO.read(dir.resolve("objects.png").toFile()).getHeight()).isEqualTo(450);
    }
}
