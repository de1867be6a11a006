package dev.fusedit.shapes;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The training stream: deterministic, resumable, and every sample obeys the world's rules. */
class ShapesStreamTest {
    private static final int N = 3000;

    @Test
    void sameSeedGivesTheSameSamplesAndResumingIsExact() {
        ShapesStream a = new ShapesStream(42), b = new ShapesStream(42);
        Iterator<ShapesSample> it = a.from(0);
        for (int i = 0; i < 200; i++) assertThat(it.next()).isEqualTo(b.sample(i));
        Iterator<ShapesSample> resumed = b.from(150);
        for (int i = 150; i < 200; i++) assertThat(resumed.next()).isEqualTo(a.sample(i));
        int differ = 0;
        ShapesStream c = new ShapesStream(43);
        for (int i = 0; i < 100; i++) if (!c.sample(i).equals(a.sample(i))) differ++;
        assertThat(differ).isGreaterThan(90);
    }

    @Test
    void categoriesAreUniformAndAboutOneCaptionInTenIsDropped() {
        ShapesStream s = new ShapesStream(1);
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        int dropped = 0;
        for (int i = 0; i < N; i++) {
            ShapesSample x = s.sample(i);
            counts.merge(x.prompt().category(), 1, Integer::sum);
            if (x.caption().isEmpty()) dropped++;
            else assertThat(x.caption()).isEqualTo(x.prompt().text());
        }
        // Binomial standard deviations: categories sqrt(3000/6*5/6) ~ 20, drops sqrt(3000*0.09) ~ 16.
        for (Category c : Category.values()) assertThat(counts.get(c)).as("%s", c).isBetween(500 - 80, 500 + 80);
        assertThat(dropped).isBetween(300 - 65, 300 + 65);
        ShapesStream never = new ShapesStream(1, 0.0), always = new ShapesStream(1, 1.0);
        for (int i = 0; i < 50; i++) {
            assertThat(never.sample(i).caption()).isNotEmpty();
            assertThat(always.sample(i).caption()).isEmpty();
        }
        assertThatThrownBy(() -> new ShapesStream(1, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void captionsAreLowerCaseTemplatesWithoutFinalPeriod() {
        ShapesStream s = new ShapesStream(5, 0);
        for (int i = 0; i < N; i++) {
            String c = s.sample(i).caption();
            assertThat(c).isEqualTo(c.toLowerCase(java.util.Locale.ROOT)).doesNotEndWith(".").doesNotContain("  ");
            assertThat(c).matches("(a|two|three|four) .*");
        }
    }

    @Test
    void scenesKeepTheirObjectsInsideAndApartPixelByPixel() {
        ShapesStream s = new ShapesStream(9);
        for (int i = 0; i < N; i++) {
            List<SceneObject> objs = s.sample(i).scene().objects();
            assertThat(objs.size()).isBetween(1, 4);
            for (SceneObject o : objs) {
                assertThat(o.size()).isBetween(7, 11);
                assertThat(o.x()).isGreaterThanOrEqualTo(0);
                assertThat(o.y()).isGreaterThanOrEqualTo(0);
                assertThat(o.x() + o.size()).isLessThanOrEqualTo(32);
                assertThat(o.y() + o.size()).isLessThanOrEqualTo(32);
            }
            // Two boxes with 2 background pixels between them along x or y: every pixel pair is >= 3 apart in x or y.
            for (int a = 0; a < objs.size(); a++)
                for (int b = a + 1; b < objs.size(); b++)
                    assertThat(closestChebyshev(objs.get(a), objs.get(b))).as("sample %d objects %d,%d", i, a, b).isGreaterThanOrEqualTo(3);
        }
    }

    private static int closestChebyshev(SceneObject a, SceneObject b) {
        int best = Integer.MAX_VALUE;
        for (int ay = a.y(); ay < a.y() + a.size(); ay++)
            for (int ax = a.x(); ax < a.x() + a.size(); ax++)
                for (int by = b.y(); by < b.y() + b.size(); by++)
                    for (int bx = b.x(); bx < b.x() + b.size(); bx++)
                        best = Math.min(best, Math.max(Math.abs(ax - bx), Math.abs(ay - by)));
        return best;
    }

    @Test
    void scenesMakeTheirCaptionsTrueAndDescribeTheWholeSceneWhereRequired() {
        ShapesStream s = new ShapesStream(11);
        for (int i = 0; i < N; i++) {
            ShapesSample x = s.sample(i);
            ShapesPrompt p = x.prompt();
            List<SceneObject> objs = x.scene().objects();
            switch (p.category()) {
                case SINGLE_OBJECT, COLORS -> {
                    if (p.category() == Category.SINGLE_OBJECT) assertThat(objs).hasSize(1);
                    assertThat(objs).anyMatch(o -> o.shape() == p.shapes().getFirst() && (p.colorOf(0) == null || o.color() == p.colorOf(0)));
                }
                case TWO_OBJECT -> {
                    assertThat(objs).anyMatch(o -> o.shape() == p.shapes().get(0));
                    assertThat(objs).anyMatch(o -> o.shape() == p.shapes().get(1));
                }
                case COUNTING -> {
                    assertThat(objs).hasSize(p.count());
                    assertThat(objs).allMatch(o -> o.shape() == p.shapes().getFirst());
                }
                case POSITION -> {
                    assertThat(objs).hasSize(2);
                    SceneObject a = objs.get(0), b = objs.get(1);
                    assertThat(a.shape()).isEqualTo(p.shapes().get(0));
                    assertThat(b.shape()).isEqualTo(p.shapes().get(1));
                    if (!p.colors().isEmpty()) {
                        assertThat(p.relation()).isEqualTo(Relation.LEFT_OF);
                        assertThat(List.of(a.color(), b.color())).isEqualTo(p.colors());
                    }
                    double dx = b.centerX() - a.centerX(), dy = b.centerY() - a.centerY();
                    switch (p.relation()) {
                        case LEFT_OF -> assertThat(dx >= 4 && Math.abs(dx) > Math.abs(dy)).isTrue();
                        case RIGHT_OF -> assertThat(-dx >= 4 && Math.abs(dx) > Math.abs(dy)).isTrue();
                        case ABOVE -> assertThat(dy >= 4 && Math.abs(dy) > Math.abs(dx)).isTrue();
                        case BELOW -> assertThat(-dy >= 4 && Math.abs(dy) > Math.abs(dx)).isTrue();
                    }
                }
                case COLOR_ATTR -> {
                    assertThat(objs).hasSize(2);
                    assertThat(List.of(objs.get(0).shape(), objs.get(1).shape())).isEqualTo(p.shapes());
                    assertThat(List.of(objs.get(0).color(), objs.get(1).color())).isEqualTo(p.colors());
                }
            }
        }
    }

    @Test
    void extraObjectsAppearOnlyInTwoObjectAndColorsScenes() {
        ShapesStream s = new ShapesStream(13);
        Map<Category, Integer> maxObjects = new EnumMap<>(Category.class);
        for (int i = 0; i < N; i++) {
            ShapesSample x = s.sample(i);
            maxObjects.merge(x.prompt().category(), x.scene().objects().size(), Math::max);
        }
        assertThat(maxObjects.get(Category.TWO_OBJECT)).isEqualTo(4);
        assertThat(maxObjects.get(Category.COLORS)).isEqualTo(4);
        assertThat(maxObjects.get(Category.SINGLE_OBJECT)).isEqualTo(1);
        assertThat(maxObjects.get(Category.POSITION)).isEqualTo(2);
        assertThat(maxObjects.get(Category.COLOR_ATTR)).isEqualTo(2);
        assertThat(maxObjects.get(Category.COUNTING)).isEqualTo(4);
    }
}
