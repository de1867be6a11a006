package dev.fusedit.shapes;

import java.util.List;

/** Draws a caption of a given category, each template's choices uniform, as the spec lists them. */
public final class CaptionSampler {
    private static final ShapeKind[] SHAPES = ShapeKind.values();
    private static final ShapeColor[] COLORS = ShapeColor.values();
    private static final Relation[] RELATIONS = Relation.values();

    private CaptionSampler() {}

    /** Category first, uniform over the six; then a caption of it. */
    public static ShapesPrompt sample(SampleRandom r) {
        return sample(r.pick(Category.values()), r);
    }

    public static ShapesPrompt sample(Category category, SampleRandom r) {
        return switch (category) {
            case SINGLE_OBJECT -> ShapesPrompt.of(category, List.of(r.pick(SHAPES)),
                    r.nextBoolean() ? List.of(r.pick(COLORS)) : List.of(), 0, null);
            case TWO_OBJECT -> ShapesPrompt.of(category, distinctShapes(r), List.of(), 0, null);
            case COUNTING -> {
                int count = r.nextInt(2, Scene.MAX_OBJECTS);
                yield ShapesPrompt.of(category, List.of(r.pick(SHAPES)), List.of(), count, null);
            }
            case COLORS -> {
                ShapeColor color = r.pick(COLORS);
                yield ShapesPrompt.of(category, List.of(r.pick(SHAPES)), List.of(color), 0, null);
            }
            // Half plain "a {shape1} {relation} a {shape2}", half the coloured form, which uses "left of" only.
            case POSITION -> r.nextBoolean()
                    ? ShapesPrompt.of(category, distinctShapes(r), List.of(), 0, r.pick(RELATIONS))
                    : ShapesPrompt.of(category, distinctShapes(r), distinctColors(r), 0, Relation.LEFT_OF);
            case COLOR_ATTR -> ShapesPrompt.of(category, distinctShapes(r), distinctColors(r), 0, null);
        };
    }

    private static List<ShapeKind> distinctShapes(SampleRandom r) {
        int a = r.nextInt(SHAPES.length), b = (a + 1 + r.nextInt(SHAPES.length - 1)) % SHAPES.length;
        return List.of(SHAPES[a], SHAPES[b]);
    }

    private static List<ShapeColor> distinctColors(SampleRandom r) {
        int a = r.nextInt(COLORS.length), b = (a + 1 + r.nextInt(COLORS.length - 1)) % COLORS.length;
        return List.of(COLORS[a], COLORS[b]);
    }
}
