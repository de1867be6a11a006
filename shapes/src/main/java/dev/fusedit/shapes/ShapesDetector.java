package dev.fusedit.shapes;

import dev.fusedit.model.pipeline.RgbImage;

import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's exact detector. A pixel takes the nearest palette colour when its RGB distance
 * to it is under 90 and its brightest channel is over 60 (else it is background); objects are the
 * 4-connected components of one colour with at least 6 pixels; a component's shape is read from
 * its fill ratio: over 0.90 square, 0.69..0.90 circle, under 0.69 triangle (drawn shapes fill
 * 1.0, 0.755–0.852 and 0.504–0.625 of their boxes).
 */
public final class ShapesDetector {
    public static final double MAX_COLOR_DISTANCE = 90;
    public static final int MIN_BRIGHTNESS = 60;
    public static final int MIN_PIXELS = 6;
    public static final double SQUARE_FILL = 0.90, CIRCLE_FILL = 0.69;

    private static final ShapeColor[] PALETTE = ShapeColor.values();

    private ShapesDetector() {}

    /** The palette colour of each pixel (its ordinal), or -1 for background; row-major. */
    public static int[] labels(RgbImage image) {
        int[] labels = new int[image.width() * image.height()];
        for (int y = 0; y < image.height(); y++)
            for (int x = 0; x < image.width(); x++) {
                int r = image.get(x, y, 0), g = image.get(x, y, 1), b = image.get(x, y, 2);
                int best = -1;
                long bestD2 = Long.MAX_VALUE;
                for (ShapeColor c : PALETTE) {
                    long dr = r - c.r(), dg = g - c.g(), db = b - c.b();
                    long d2 = dr * dr + dg * dg + db * db;
                    if (d2 < bestD2) {
                        bestD2 = d2;
                        best = c.ordinal();
                    }
                }
                boolean colored = bestD2 < MAX_COLOR_DISTANCE * MAX_COLOR_DISTANCE && Math.max(r, Math.max(g, b)) > MIN_BRIGHTNESS;
                labels[y * image.width() + x] = colored ? best : -1;
            }
        return labels;
    }

    /** The objects of an image, in the row-major order of their first pixel. */
    public static List<DetectedObject> detect(RgbImage image) {
        int w = image.width(), h = image.height();
        int[] labels = labels(image);
        boolean[] seen = new boolean[w * h];
        int[] queue = new int[w * h];
        List<DetectedObject> found = new ArrayList<>();
        for (int start = 0; start < labels.length; start++) {
            if (labels[start] < 0 || seen[start]) continue;
            int color = labels[start];
            int head = 0, tail = 0;
            queue[tail++] = start;
            seen[start] = true;
            int minX = w, minY = h, maxX = -1, maxY = -1;
            while (head < tail) {
                int p = queue[head++], x = p % w, y = p / w;
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
                if (x > 0) tail = visit(p - 1, color, labels, seen, queue, tail);
                if (x + 1 < w) tail = visit(p + 1, color, labels, seen, queue, tail);
                if (y > 0) tail = visit(p - w, color, labels, seen, queue, tail);
                if (y + 1 < h) tail = visit(p + w, color, labels, seen, queue, tail);
            }
            if (tail < MIN_PIXELS) continue;
            double fill = tail / (double) ((maxX - minX + 1) * (maxY - minY + 1));
            found.add(new DetectedObject(shapeOf(fill), PALETTE[color], minX, minY, maxX, maxY, tail));
        }
        return found;
    }

    /** The shape a fill ratio reads as. */
    public static ShapeKind shapeOf(double fillRatio) {
        if (fillRatio > SQUARE_FILL) return ShapeKind.SQUARE;
        if (fillRatio >= CIRCLE_FILL) return ShapeKind.CIRCLE;
        return ShapeKind.TRIANGLE;
    }

    private static int visit(int q, int color, int[] labels, boolean[] seen, int[] queue, int tail) {
        if (seen[q] || labels[q] != color) return tail;
        seen[q] = true;
        queue[tail] = q;
        return tail + 1;
    }
}
