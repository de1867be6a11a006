package dev.fusedit.shapes;

import java.util.Locale;

/**
 * The three shapes and their exact rasterization in an s x s box (pixel (x, y) from the box's
 * top-left corner). Each mask touches all four sides of its box, so the bounding box of a drawn
 * shape is exactly its s x s box.
 */
public enum ShapeKind {
    SQUARE,
    CIRCLE,
    TRIANGLE;

    public static final int MIN_SIZE = 7, MAX_SIZE = 11;

    /** The caption word, e.g. "circle". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The plural used by counting captions, e.g. "circles". */
    public String plural() {
        return word() + "s";
    }

    /** Whether pixel (x, y) of an s x s box belongs to the shape. */
    public boolean covers(int x, int y, int s) {
        return switch (this) {
            case SQUARE -> true;
            // Pixel centre (x + 0.5, y + 0.5) inside the inscribed disc of radius s/2, centre (s/2, s/2);
            // doubled to stay in integers: (2x + 1 - s)^2 + (2y + 1 - s)^2 <= s^2.
            case CIRCLE -> {
                int dx = 2 * x + 1 - s, dy = 2 * y + 1 - s;
                yield dx * dx + dy * dy <= s * s;
            }
            // Apex up: |x - (s-1)/2| <= y/2 (+ 1/2 for even s); doubled: |2x - (s-1)| <= y + (s even ? 1 : 0).
            case TRIANGLE -> Math.abs(2 * x - (s - 1)) <= y + (s % 2 == 0 ? 1 : 0);
        };
    }

    /** The shape's pixels in an s x s box, row-major. */
    public boolean[] mask(int s) {
        if (s < 1) throw new IllegalArgumentException("shape size must be positive, got " + s);
        boolean[] m = new boolean[s * s];
        for (int y = 0; y < s; y++)
            for (int x = 0; x < s; x++) m[y * s + x] = covers(x, y, s);
        return m;
    }

    /** The shape named by a caption word (singular or plural); IllegalArgumentException for anything else. */
    public static ShapeKind fromWord(String word) {
        for (ShapeKind k : values()) if (k.word().equals(word) || k.plural().equals(word)) return k;
        throw new IllegalArgumentException("unknown shape '" + word + "', expected square, circle or triangle");
    }
}
