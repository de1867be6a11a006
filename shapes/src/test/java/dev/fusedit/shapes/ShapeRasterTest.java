package dev.fusedit.shapes;

import dev.fusedit.model.pipeline.RgbImage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The shape masks follow the spec's pixel rules, checked against the rules written in floating point. */
class ShapeRasterTest {

    private static int rowCount(boolean[] mask, int s, int y) {
        int n = 0;
        for (int x = 0; x < s; x++) if (mask[y * s + x]) n++;
        return n;
    }

    private static double fill(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) if (b) n++;
        return n / (double) mask.length;
    }

    @Test
    void circleIsThePixelCentresInsideTheInscribedDisc() {
        for (int s = ShapeKind.MIN_SIZE; s <= ShapeKind.MAX_SIZE; s++) {
            boolean[] m = ShapeKind.CIRCLE.mask(s);
            double c = s / 2.0, r = s / 2.0;
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++) {
                    double dx = x + 0.5 - c, dy = y + 0.5 - c;
                    assertThat(m[y * s + x]).as("s=%d (%d,%d)", s, x, y).isEqualTo(dx * dx + dy * dy <= r * r);
                }
        }
    }

    @Test
    void triangleRowsFollowTheApexUpRule() {
        for (int s = ShapeKind.MIN_SIZE; s <= ShapeKind.MAX_SIZE; s++) {
            boolean[] m = ShapeKind.TRIANGLE.mask(s);
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++) {
                    double half = y / 2.0 + (s % 2 == 0 ? 0.5 : 0);
                    assertThat(m[y * s + x]).as("s=%d (%d,%d)", s, x, y).isEqualTo(Math.abs(x - (s - 1) / 2.0) <= half);
                }
            assertThat(rowCount(m, s, 0)).as("apex row, s=%d", s).isEqualTo(s % 2 == 1 ? 1 : 2);
            assertThat(rowCount(m, s, s - 1)).as("base row, s=%d", s).isEqualTo(s);
            for (int y = 1; y < s; y++) assertThat(rowCount(m, s, y)).isGreaterThanOrEqualTo(rowCount(m, s, y - 1));
        }
    }

    @Test
    void everyShapeTouchesAllFourSidesOfItsBox() {
        for (ShapeKind k : ShapeKind.values())
            for (int s = ShapeKind.MIN_SIZE; s <= ShapeKind.MAX_SIZE; s++) {
                boolean[] m = k.mask(s);
                boolean top = false, bottom = false, left = false, right = false;
                for (int i = 0; i < s; i++) {
                    top |= m[i];
                    bottom |= m[(s - 1) * s + i];
                    left |= m[i * s];
                    right |= m[i * s + s - 1];
                }
                assertThat(top && bottom && left && right).as("%s s=%d", k, s).isTrue();
            }
    }

    @Test
    void fillRatiosLieInTheSpecRangesAndReadBackAsTheirShape() {
        for (int s = ShapeKind.MIN_SIZE; s <= ShapeKind.MAX_SIZE; s++) {
            assertThat(fill(ShapeKind.SQUARE.mask(s))).isEqualTo(1.0);
            assertThat(fill(ShapeKind.CIRCLE.mask(s))).as("circle s=%d", s).isBetween(0.755, 0.852);
            assertThat(fill(ShapeKind.TRIANGLE.mask(s))).as("triangle s=%d", s).isBetween(0.504, 0.625);
            for (ShapeKind k : ShapeKind.values()) assertThat(ShapesDetector.shapeOf(fill(k.mask(s)))).isEqualTo(k);
        }
    }

    @Test
    void renderPaintsExactlyTheMaskInThePaletteColourOnBlack() {
        SceneObject o = new SceneObject(ShapeKind.TRIANGLE, ShapeColor.CYAN, 5, 9, 8);
        RgbImage img = new Scene(java.util.List.of(o)).render();
        boolean[] m = ShapeKind.TRIANGLE.mask(8);
        for (int y = 0; y < Scene.CANVAS; y++)
            for (int x = 0; x < Scene.CANVAS; x++) {
                boolean in = x >= 5 && x < 13 && y >= 9 && y < 17 && m[(y - 9) * 8 + x - 5];
                int[] want = in ? new int[]{o.color().r(), o.color().g(), o.color().b()} : new int[]{0, 0, 0};
                for (int c = 0; c < 3; c++) assertThat(img.get(x, y, c)).isEqualTo(want[c]);
            }
    }
}
