package dev.fusedit.shapes;

import java.util.List;

/**
 * A caption of the shapes world together with the facts that make it checkable: its category,
 * the shapes it names (in caption order), their colours (empty when the caption names none),
 * the count of a counting caption (0 otherwise) and the relation of a position caption (null
 * otherwise). The text is always the spec's template filled with these facts.
 */
public record ShapesPrompt(Category category, String text, List<ShapeKind> shapes, List<ShapeColor> colors, int count, Relation relation) {

    private static final String[] NUMBERS = {"zero", "one", "two", "three", "four"};

    public ShapesPrompt {
        shapes = List.copyOf(shapes);
        colors = List.copyOf(colors);
        if (category == null) throw new IllegalArgumentException("a prompt needs a category");
        int nShapes = switch (category) {
            case SINGLE_OBJECT, COUNTING, COLORS -> 1;
            case TWO_OBJECT, POSITION, COLOR_ATTR -> 2;
        };
        if (shapes.size() != nShapes)
            throw new IllegalArgumentException(category.id() + " prompts name " + nShapes + " shape(s), got " + shapes);
        if (nShapes == 2 && shapes.get(0) == shapes.get(1))
            throw new IllegalArgumentException(category.id() + " prompts name two distinct shapes, got " + shapes);
        boolean colorsOk = switch (category) {
            case SINGLE_OBJECT -> colors.size() <= 1;
            case TWO_OBJECT, COUNTING -> colors.isEmpty();
            case COLORS -> colors.size() == 1;
            case POSITION -> colors.isEmpty() || colors.size() == 2;
            case COLOR_ATTR -> colors.size() == 2;
        };
        if (!colorsOk) throw new IllegalArgumentException(category.id() + " prompt has the wrong number of colours: " + colors);
        if (colors.size() == 2 && colors.get(0) == colors.get(1))
            throw new IllegalArgumentException(category.id() + " prompts name two distinct colours, got " + colors);
        if (category == Category.COUNTING ? count < 2 || count > Scene.MAX_OBJECTS : count != 0)
            throw new IllegalArgumentException(category == Category.COUNTING ? "counting prompts count 2 to 4 objects, got " + count
                    : category.id() + " prompts carry no count, got " + count);
        if ((category == Category.POSITION) != (relation != null))
            throw new IllegalArgumentException(category == Category.POSITION ? "position prompts need a relation" : category.id() + " prompts carry no relation");
        String expected = render(category, shapes, colors, count, relation);
        if (text == null) text = expected;
        else if (!text.equals(expected))
            throw new IllegalArgumentException("prompt text '" + text + "' does not match its fields (the template gives '" + expected + "')");
    }

    /** A prompt whose text is the template filled with the given facts. */
    public static ShapesPrompt of(Category category, List<ShapeKind> shapes, List<ShapeColor> colors, int count, Relation relation) {
        return new ShapesPrompt(category, null, shapes, colors, count, relation);
    }

    /** The colour named for shape i, or null when the caption names no colours. */
    public ShapeColor colorOf(int i) {
        return colors.isEmpty() ? null : colors.get(i);
    }

    /** The spec's caption templates. */
    private static String render(Category category, List<ShapeKind> shapes, List<ShapeColor> colors, int count, Relation relation) {
        return switch (category) {
            case SINGLE_OBJECT, COLORS -> describe(shapes, colors, 0);
            case TWO_OBJECT, COLOR_ATTR -> describe(shapes, colors, 0) + " and " + describe(shapes, colors, 1);
            case COUNTING -> NUMBERS[count] + " " + shapes.get(0).plural();
            case POSITION -> describe(shapes, colors, 0) + " " + relation.phrase() + " " + describe(shapes, colors, 1);
        };
    }

    private static String describe(List<ShapeKind> shapes, List<ShapeColor> colors, int i) {
        return "a " + (colors.isEmpty() ? "" : colors.get(i).word() + " ") + shapes.get(i).word();
    }
}
