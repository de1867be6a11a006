package dev.fusedit.shapes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static dev.fusedit.shapes.ShapeColor.*;
import static dev.fusedit.shapes.ShapeKind.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Which detected objects a prompt names, and the extra share and objects per image the report computes from that, on hand-built detections. */
class ClutterTest {

    /** A 5x5 object at (x, y): centre (x + 2.5, y + 2.5). */
    private static DetectedObject obj(ShapeKind k, ShapeColor c, int x, int y) {
        return new DetectedObject(k, c, x, y, x + 4, y + 4, 20);
    }

    private static ShapesPrompt prompt(Category c, List<ShapeKind> shapes, List<ShapeColor> colors, int count, Relation r) {
        return ShapesPrompt.of(c, shapes, colors, count, r);
    }

    @Test
    void singleObjectAndColorsNameTheFirstMatchOnly() {
        ShapesPrompt redCircle = prompt(Category.COLORS, List.of(CIRCLE), List.of(RED), 0, null);
        DetectedObject blue = obj(CIRCLE, BLUE, 0, 0), red1 = obj(CIRCLE, RED, 10, 0), red2 = obj(CIRCLE, RED, 20, 0);
        assertThat(PromptCheck.named(redCircle, List.of(blue, red1, red2))).containsExactly(red1);
        assertThat(PromptCheck.named(redCircle, List.of(blue))).isEmpty();
        ShapesPrompt square = prompt(Category.SINGLE_OBJECT, List.of(SQUARE), List.of(), 0, null);
        DetectedObject s1 = obj(SQUARE, GREEN, 0, 10), s2 = obj(SQUARE, RED, 10, 10);
        assertThat(PromptCheck.named(square, List.of(blue, s1, s2))).containsExactly(s1);
    }

    @Test
    void twoObjectAndColorAttributionNameOneOfEachDescription() {
        ShapesPrompt two = prompt(Category.TWO_OBJECT, List.of(CIRCLE, TRIANGLE), List.of(), 0, null);
        DetectedObject c1 = obj(CIRCLE, RED, 0, 0), c2 = obj(CIRCLE, BLUE, 10, 0), t = obj(TRIANGLE, GREEN, 20, 0), s = obj(SQUARE, RED, 0, 20);
        assertThat(PromptCheck.named(two, List.of(c1, c2, t, s))).containsExactly(c1, t);
        ShapesPrompt attr = prompt(Category.COLOR_ATTR, List.of(CIRCLE, TRIANGLE), List.of(BLUE, GREEN), 0, null);
        assertThat(PromptCheck.named(attr, List.of(c1, c2, t, s))).containsExactly(c2, t);
        assertThat(PromptCheck.named(attr, List.of(c1, s))).as("a red circle is not the blue one named").isEmpty();
    }

    @Test
    void countingNamesTheFirstNOfTheShapeWhateverTheirColour() {
        ShapesPrompt twoCircles = prompt(Category.COUNTING, List.of(CIRCLE), List.of(), 2, null);
        DetectedObject c1 = obj(CIRCLE, RED, 0, 0), s = obj(SQUARE, RED, 10, 0), c2 = obj(CIRCLE, BLUE, 20, 0), c3 = obj(CIRCLE, RED, 0, 20);
        assertThat(PromptCheck.named(twoCircles, List.of(c1, s, c2, c3))).containsExactly(c1, c2);
        assertThat(PromptCheck.named(twoCircles, List.of(s, c3))).containsExactly(c3);
    }

    @Test
    void positionNamesThePairInTheRelationElseTheFirstOfEach() {
        ShapesPrompt left = prompt(Category.POSITION, List.of(CIRCLE, SQUARE), List.of(), 0, Relation.LEFT_OF);
        // detection order: the right-hand circle first; the pair in the relation is (circle at 0, square at 10)
        DetectedObject cRight = obj(CIRCLE, RED, 20, 0), cLeft = obj(CIRCLE, BLUE, 0, 5), sq = obj(SQUARE, RED, 10, 5), t = obj(TRIANGLE, RED, 0, 20);
        assertThat(PromptCheck.named(left, List.of(cRight, cLeft, sq, t))).containsExactly(cLeft, sq);
        // no pair stands in the relation: the first circle and the first square are still what the prompt names
        assertThat(PromptCheck.named(left, List.of(cRight, sq, t))).containsExactly(cRight, sq);
    }

    @Test
    void theReportCountsExtrasOverAllDetectedObjectsPerCategoryAndOverall() throws IOException {
        ShapesPrompt redCircle = prompt(Category.COLORS, List.of(CIRCLE), List.of(RED), 0, null);
        ShapesPrompt threeSquares = prompt(Category.COUNTING, List.of(SQUARE), List.of(), 3, null);
        List<ShapesReport.SampleResult> results = List.of(
                // 1 named + 3 extra
                new ShapesReport.SampleResult(0, redCircle, 0, true, List.of(obj(CIRCLE, RED, 0, 0), obj(CIRCLE, RED, 10, 0),
                        obj(SQUARE, RED, 20, 0), obj(TRIANGLE, BLUE, 0, 20))),
                // nothing detected: no objects, no extras
                new ShapesReport.SampleResult(0, redCircle, 1, false, List.of()),
                // 3 named squares + 1 extra square + 1 extra circle
                new ShapesReport.SampleResult(1, threeSquares, 2, false, List.of(obj(SQUARE, RED, 0, 0), obj(SQUARE, RED, 10, 0),
                        obj(SQUARE, BLUE, 20, 0), obj(SQUARE, BLUE, 0, 20), obj(CIRCLE, RED, 10, 20))));
        ShapesReport r = new ShapesReport(0.25, Map.of(Category.COLORS, 0.5, Category.COUNTING, 0.0), 3, results);
        assertThat(results.get(0).extraObjects()).isEqualTo(3);
        assertThat(r.extraShare(Category.COLORS)).isCloseTo(3 / 4.0, within(1e-12));
        assertThat(r.extraShare(Category.COUNTING)).isCloseTo(2 / 5.0, within(1e-12));
        assertThat(r.extraShare(null)).isCloseTo(5 / 9.0, within(1e-12));
        assertThat(r.extraShare(Category.POSITION)).as("no samples").isZero();
        assertThat(r.objectsPerImage(Category.COLORS)).isEqualTo(2.0);
        assertThat(r.objectsPerImage(null)).isEqualTo(3.0);

        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertThat(json.get("extra_share").get("overall").asDouble()).isCloseTo(5 / 9.0, within(1e-12));
        assertThat(json.get("extra_share").get("counting").asDouble()).isCloseTo(0.4, within(1e-12));
        assertThat(json.get("objects_per_image").get("colors").asDouble()).isEqualTo(2.0);
        assertThat(r.table()).contains("extra").containsPattern("colors\\s+0\\.500\\s+1/2\\s+2\\.00 \\(1\\.00\\)\\s+0\\.75");
    }

    @Test
    void theGeneratorsScenesForTheBenchmarkHaveExtrasOnlyWhereTheirCaptionsLeaveObjectsOut() throws IOException {
        List<ShapesPrompt> prompts = ShapesPromptFile.read(DetectorAccuracyTest.PROMPTS);
        // each prompt's own scenes (prompt i is sampled with seeds 4i..4i+3; texts repeat across categories)
        ShapesReport r = new ShapesEvaluator().evaluate(prompts, (text, seeds) -> {
            List<dev.fusedit.model.pipeline.RgbImage> images = new java.util.ArrayList<>();
            for (long seed : seeds) images.add(SceneSampler.sceneFor(prompts.get((int) (seed / 4)), SampleRandom.forSample(11, seed)).render());
            return images;
        });
        // captions that describe the whole scene: every object is named
        for (Category c : List.of(Category.SINGLE_OBJECT, Category.COUNTING, Category.POSITION, Category.COLOR_ATTR))
            assertThat(r.extraShare(c)).as(c.id()).isZero();
        // two-object and colour scenes may hold objects their caption leaves out (0.32 and 0.57 of them; 0.17 over all categories)
        assertThat(r.extraShare(Category.TWO_OBJECT)).isCloseTo(0.32, within(0.01));
        assertThat(r.extraShare(Category.COLORS)).isCloseTo(0.57, within(0.01));
        assertThat(r.extraShare(null)).isCloseTo(0.17, within(0.01));
        assertThat(r.overall()).as("the detector reads the generator's scenes exactly").isEqualTo(1.0);
    }
}
