package dev.fusedit.shapes;

/**
 * A spatial relation "A rel B" between two positions (bounding-box centres, y growing downwards).
 * "A left of B" holds when x_B - x_A >= 4 px and the horizontal offset dominates the vertical one;
 * the other three are the same rule turned.
 */
public enum Relation {
    LEFT_OF("left of"),
    RIGHT_OF("right of"),
    ABOVE("above"),
    BELOW("below");

    /** Smallest offset along the relation's axis, in pixels. */
    public static final double MIN_OFFSET = 4;

    private final String phrase;

    Relation(String phrase) {
        this.phrase = phrase;
    }

    /** The caption words, e.g. "left of". */
    public String phrase() {
        return phrase;
    }

    /** Whether A at (ax, ay) stands in this relation to B at (bx, by). */
    public boolean holds(double ax, double ay, double bx, double by) {
        double dx = bx - ax, dy = by - ay;
        return switch (this) {
            case LEFT_OF -> dx >= MIN_OFFSET && Math.abs(dx) > Math.abs(dy);
            case RIGHT_OF -> -dx >= MIN_OFFSET && Math.abs(dx) > Math.abs(dy);
            case ABOVE -> dy >= MIN_OFFSET && Math.abs(dy) > Math.abs(dx);
            case BELOW -> -dy >= MIN_OFFSET && Math.abs(dy) > Math.abs(dx);
        };
    }

    public boolean holds(SceneObject a, SceneObject b) {
        return holds(a.centerX(), a.centerY(), b.centerX(), b.centerY());
    }

    public static Relation fromPhrase(String phrase) {
        for (Relation r : values()) if (r.phrase.equals(phrase)) return r;
        throw new IllegalArgumentException("unknown relation '" + phrase + "', expected left of, right of, above or below");
    }
}
