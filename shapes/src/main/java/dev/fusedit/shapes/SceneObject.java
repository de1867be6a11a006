package dev.fusedit.shapes;

/**
 * One drawn object: its shape and colour in the s x s box whose top-left pixel is (x, y).
 * The bounding box of the drawn pixels is exactly that box (every shape touches all four sides).
 */
public record SceneObject(ShapeKind shape, ShapeColor color, int x, int y, int size) {

    /** Background pixels required between two bounding boxes along x or along y. */
    public static final int MIN_GAP = 2;

    public SceneObject {
        if (shape == null || color == null) throw new IllegalArgumentException("a scene object needs a shape and a colour");
        if (size < ShapeKind.MIN_SIZE || size > ShapeKind.MAX_SIZE)
            throw new IllegalArgumentException("object size must be in " + ShapeKind.MIN_SIZE + ".." + ShapeKind.MAX_SIZE + ", got " + size);
    }

    /** Horizontal position: the centre of the bounding box (pixel edges, so a 7 px box at x=0 has centre 3.5). */
    public double centerX() {
        return x + size / 2.0;
    }

    public double centerY() {
        return y + size / 2.0;
    }

    /** Whether the box lies fully inside a canvas of the given size. */
    public boolean inside(int canvas) {
        return x >= 0 && y >= 0 && x + size <= canvas && y + size <= canvas;
    }

    /** Whether at least {@link #MIN_GAP} background pixels separate the two boxes along x or along y. */
    public boolean separatedFrom(SceneObject o) {
        int gapX = Math.max(o.x - (x + size), x - (o.x + o.size));
        int gapY = Math.max(o.y - (y + size), y - (o.y + o.size));
        return gapX >= MIN_GAP || gapY >= MIN_GAP;
    }
}
