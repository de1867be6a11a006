package dev.fusedit.shapes;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fusedit.shapes.ShapeColor.*;
import static dev.fusedit.shapes.ShapeKind.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The per-category checks on hand-built scenes, read back through the detector. */
class PromptCheckTest {

    private static boolean passes(ShapesPrompt p, SceneObject... objects) {
        return PromptCheck.passes(p, ShapesDetector.detect(new Scene(List.of(objects)).render()));
    }

    private static SceneObject at(ShapeKind k, ShapeColor c, int x, int y) {
        return new SceneObject(k, c, x, y, 9);
    }

    @Test
    void singleObjectAndColors() {
        ShapesPrompt any = ShapesPrompt.of(Category.SINGLE_OBJECT, List.of(CIRCLE), List.of(), 0, null);
        ShapesPrompt red = ShapesPrompt.of(Category.COLORS, List.of(CIRCLE), List.of(RED), 0, null);
        assertThat(passes(any, at(CIRCLE, BLUE, 3, 3))).isTrue();
        assertThat(passes(any, at(SQUARE, BLUE, 3, 3))).isFalse();
        assertThat(passes(red, at(CIRCLE, BLUE, 3, 3))).isFalse();
        assertThat(passes(red, at(CIRCLE, BLUE, 3, 3), at(CIRCLE, RED, 20, 20))).isTrue();
        assertThat(passes(red, at(SQUARE, RED, 3, 3))).isFalse();
    }

    @Test
    void twoObjectAndColorAttribution() {
        ShapesPrompt two = ShapesPrompt.of(Category.TWO_OBJECT, List.of(CIRCLE, TRIANGLE), List.of(), 0, null);
        ShapesPrompt attr = ShapesPrompt.of(Category.COLOR_ATTR, List.of(CIRCLE, TRIANGLE), List.of(RED, GREEN), 0, null);
        assertThat(passes(two, at(CIRCLE, BLUE, 1, 1), at(TRIANGLE, BLUE, 20, 1), at(SQUARE, CYAN, 1, 20))).isTrue();
        assertThat(passes(two, at(CIRCLE, BLUE, 1, 1), at(SQUARE, CYAN, 1, 20))).isFalse();
        assertThat(passes(attr, at(CIRCLE, RED, 1, 1), at(TRIANGLE, GREEN, 20, 1))).isTrue();
        assertThat(passes(attr, at(CIRCLE, GREEN, 1, 1), at(TRIANGLE, RED, 20, 1))).as("colours swapped").isFalse();
    }

    @Test
    void countingWantsExactlyNObjectsOfTheShapeAndNothingElse() {
        ShapesPrompt three = ShapesPrompt.of(Category.COUNTING, List.of(SQUARE), List.of(), 3, null);
        assertThat(passes(three, at(SQUARE, RED, 1, 1), at(SQUARE, BLUE, 20, 1), at(SQUARE, CYAN, 1, 20))).isTrue();
        assertThat(passes(three, at(SQUARE, RED, 1, 1), at(SQUARE, BLUE, 20, 1))).isFalse();
        assertThat(passes(three, at(SQUARE, RED, 1, 1), at(SQUARE, BLUE, 20, 1), at(SQUARE, CYAN, 1, 20), at(SQUARE, CYAN, 20, 20))).isFalse();
        assertThat(passes(three, at(SQUARE, RED, 1, 1), at(SQUARE, BLUE, 20, 1), at(SQUARE, CYAN, 1, 20), at(CIRCLE, CYAN, 20, 20))).isFalse();
    }

    @Test
    void positionNeedsTheRelationBetweenTheNamedObjects() {
        ShapesPrompt left = ShapesPrompt.of(Category.POSITION, List.of(CIRCLE, SQUARE), List.of(), 0, Relation.LEFT_OF);
        ShapesPrompt above = ShapesPrompt.of(Category.POSITION, List.of(CIRCLE, SQUARE), List.of(), 0, Relation.ABOVE);
        ShapesPrompt coloured = ShapesPrompt.of(Category.POSITION, List.of(CIRCLE, SQUARE), List.of(RED, BLUE), 0, Relation.LEFT_OF);
        assertThat(passes(left, at(CIRCLE, RED, 1, 10), at(SQUARE, BLUE, 20, 12))).isTrue();
        assertThat(passes(left, at(SQUARE, RED, 1, 10), at(CIRCLE, BLUE, 20, 12))).isFalse();
        assertThat(passes(above, at(CIRCLE, RED, 1, 10), at(SQUARE, BLUE, 20, 12))).as("horizontal offset dominates").isFalse();
        assertThat(passes(above, at(CIRCLE, RED, 10, 1), at(SQUARE, BLUE, 12, 20))).isTrue();
        assertThat(passes(coloured, at(CIRCLE, RED, 1, 10), at(SQUARE, BLUE, 20, 12))).isTrue();
        assertThat(passes(coloured, at(CIRCLE, BLUE, 1, 10), at(SQUARE, RED, 20, 12))).isFalse();
        // Offsets of 3 px are too small: 9 px boxes at x=0 and x=12 are 12 apart, fine; a 3 px offset is built with y-stacking.
        assertThat(passes(left, at(CIRCLE, RED, 10, 1), at(SQUARE, BLUE, 13, 20))).isFalse();
    }

    @Test
    void relationRuleUsesTheFourPixelMinimumAndTheDominantAxis() {
        assertThat(Relation.LEFT_OF.holds(10, 10, 14, 10)).isTrue();
        assertThat(Relation.LEFT_OF.holds(10, 10, 13.5, 10)).isFalse();
        assertThat(Relation.LEFT_OF.holds(10, 10, 15, 15)).as("|dx| must exceed |dy|").isFalse();
        assertThat(Relation.RIGHT_OF.holds(14, 10, 10, 10)).isTrue();
        assertThat(Relation.ABOVE.holds(10, 10, 11, 16)).isTrue();
        assertThat(Relation.BELOW.holds(10, 16, 11, 10)).isTrue();
        assertThat(Relation.BELOW.holds(10, 10, 11, 16)).isFalse();
    }
}
