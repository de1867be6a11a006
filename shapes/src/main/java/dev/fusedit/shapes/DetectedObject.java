package dev.fusedit.shapes;

/**
 * One object the detector found: a 4-connected component of one palette colour, its shape read
 * from its fill ratio, its bounding box (inclusive pixel bounds) and pixel count.
 */
public record DetectedObject(ShapeKind shape, ShapeColor color, int minX, int minY, int maxX, int maxY, int pixels) {

    /** Bounding-box centre in pixel-edge coordinates, the convention {@link SceneObject#centerX()} uses. */
    public double centerX() {
        return (minX + maxX + 1) / 2.0;
    }

    public double centerY() {
        return (minY + maxY + 1) / 2.0;
    }

    /** Pixels over bounding-box area. */
    public double fillRatio() {
        return pixels / (double) ((maxX - minX + 1) * (maxY - minY + 1));
    }

    /** Whether this object has the shape and, when {@code color} is not null, the colour. */
    public boolean matches(ShapeKind shape, ShapeColor color) {
        return this.shape == shape && (color == null || this.color == color);
    }
}
