package dev.fusedit.shapes;

import dev.fusedit.model.pipeline.RgbImage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShapesEvaluatorTest {

    @Test
    void blankImagesScoreZeroAndSeedsAreFixedPerPromptAndSample() throws IOException {
        List<ShapesPrompt> prompts = ShapesPromptFile.read(DetectorAccuracyTest.PROMPTS);
        List<long[]> seen = new ArrayList<>();
        ShapesReport r = new ShapesEvaluator().evaluate(prompts, (text, seeds) -> {
            seen.add(seeds.clone());
            List<RgbImage> out = new ArrayList<>();
            for (long ignored : seeds) out.add(new RgbImage(32, 32, new byte[32 * 32 * 3]));
            return out;
        });
        assertThat(r.overall()).isZero();
        assertThat(r.samples()).isEqualTo(prompts.size() * 4);
        assertThat(seen).hasSize(prompts.size());
        for (int i = 0; i < seen.size(); i++) assertThat(seen.get(i)).containsExactly(4L * i, 4L * i + 1, 4L * i + 2, 4L * i + 3);
    }

    @Test
    void overallIsTheMeanOfTheCategoryScores() throws IOException {
        List<ShapesPrompt> prompts = ShapesPromptFile.read(DetectorAccuracyTest.PROMPTS);
        ImageGenerator good = DetectorAccuracyTest.generatorScenes(prompts, 0);
        // Correct images for even seeds only, blank for odd ones, and wrong-category blanks for counting.
        ShapesReport r = new ShapesEvaluator().evaluate(prompts, (text, seeds) -> {
            List<RgbImage> right = good.generate(text, seeds), out = new ArrayList<>();
            for (int j = 0; j < seeds.length; j++) out.add(seeds[j] % 2 == 0 ? right.get(j) : new RgbImage(32, 32, new byte[32 * 32 * 3]));
            return out;
        });
        double mean = r.categories().values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(r.overall()).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-12));
        for (double s : r.categories().values()) assertThat(s).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.02));
        long passed = r.results().stream().filter(ShapesReport.SampleResult::passed).count();
        assertThat(passed).isBetween((long) (r.samples() * 0.49), (long) (r.samples() * 0.5));
    }

    @Test
    void reportJsonHasOverallCategoriesAndSamples(@TempDir Path dir) throws IOException {
        List<ShapesPrompt> prompts = ShapesPromptFile.read(DetectorAccuracyTest.PROMPTS);
        ShapesReport r = new ShapesEvaluator(1).evaluate(prompts, DetectorAccuracyTest.generatorScenes(prompts, 0));
        Path file = dir.resolve("sub").resolve("report.json");
        r.write(file);
        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertThat(json.get("overall").asDouble()).isEqualTo(r.overall());
        assertThat(json.get("samples").asInt()).isEqualTo(prompts.size());
        List<String> names = new ArrayList<>();
        json.get("categories").fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("single_object", "two_object", "counting", "colors", "position", "color_attr");
        for (Category c : Category.values()) assertThat(json.get("categories").get(c.id()).asDouble()).isEqualTo(r.categories().get(c));
        // generator scenes of captions that describe the whole scene hold exactly the objects named;
        // two_object and colors scenes may hold up to 4 (and "a red circle" is a colors caption
        // too, so the helper draws such single_object prompts' scenes by the colors rule)
        for (Category c : List.of(Category.COUNTING, Category.POSITION, Category.COLOR_ATTR))
            assertThat(r.objectsPerImage(c)).as(c.id()).isEqualTo(r.mentionedPerImage(c));
        assertThat(r.mentionedPerImage(Category.SINGLE_OBJECT)).isEqualTo(1.0);
        assertThat(r.mentionedPerImage(Category.COUNTING)).isBetween(2.0, 4.0);
        for (Category c : List.of(Category.SINGLE_OBJECT, Category.TWO_OBJECT, Category.COLORS))
            assertThat(r.objectsPerImage(c)).as(c.id()).isGreaterThanOrEqualTo(r.mentionedPerImage(c)).isLessThanOrEqualTo(4.0);
        assertThat(json.get("objects_per_image").get("overall").asDouble()).isEqualTo(r.objectsPerImage(null));
        assertThat(json.get("mentioned_per_image").get("position").asDouble()).isEqualTo(2.0);
        try (var files = Files.list(file.getParent())) {
            assertThat(files.toList()).containsExactly(file);
        }
    }

    @Test
    void aGeneratorReturningTheWrongNumberOfImagesIsAnError() {
        List<ShapesPrompt> prompts = List.of(ShapesPrompt.of(Category.COLORS, List.of(ShapeKind.SQUARE), List.of(ShapeColor.RED), 0, null));
        assertThatThrownBy(() -> new ShapesEvaluator().evaluate(prompts, (t, s) -> List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 4");
    }

    @Test
    void promptFileErrorsNameTheLineAndTheProblem(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, "{\"category\": \"colors\", \"prompt\": \"a red square\", \"shapes\": [\"square\"], \"colors\": [\"red\"]}\n"
                + "{\"category\": \"colors\", \"prompt\": \"a red circle\", \"shapes\": [\"square\"], \"colors\": [\"red\"]}\n");
        assertThatThrownBy(() -> ShapesPromptFile.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining(":2:").hasMessageContaining("a red square");
        Files.writeString(f, "{\"category\": \"counting\", \"prompt\": \"five squares\", \"shapes\": [\"square\"], \"count\": 5}\n");
        assertThatThrownBy(() -> ShapesPromptFile.read(f)).isInstanceOf(IOException.class).hasMessageContaining("count");
        Files.writeString(f, "{\"category\": \"sizes\", \"prompt\": \"a big square\", \"shapes\": [\"square\"]}\n");
        assertThatThrownBy(() -> ShapesPromptFile.read(f)).isInstanceOf(IOException.class).hasMessageContaining("unknown category 'sizes'");
    }
}
