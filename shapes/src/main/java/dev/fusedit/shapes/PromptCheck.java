package dev.fusedit.shapes;

import java.util.ArrayList;
import java.util.List;

/** The benchmark's per-category checks of detected objects against a prompt (as GenEval's). */
public final class PromptCheck {
    private PromptCheck() {}

    public static boolean passes(ShapesPrompt p, List<DetectedObject> objects) {
        return switch (p.category()) {
            // At least one object of the shape (and the colour, when the prompt names one).
            case SINGLE_OBJECT, COLORS -> present(objects, p.shapes().getFirst(), p.colorOf(0));
            // Both named objects present; extra objects are allowed.
            case TWO_OBJECT, COLOR_ATTR -> present(objects, p.shapes().get(0), p.colorOf(0)) && present(objects, p.shapes().get(1), p.colorOf(1));
            // Exactly N objects of the shape and nothing else.
            case COUNTING -> objects.size() == p.count() && objects.stream().allMatch(o -> o.shape() == p.shapes().getFirst());
            // Some pair (A, B) of distinct objects matching the two descriptions stands in the relation.
            case POSITION -> {
                for (DetectedObject a : objects) {
                    if (!a.matches(p.shapes().get(0), p.colorOf(0))) continue;
                    for (DetectedObject b : objects)
                        if (b != a && b.matches(p.shapes().get(1), p.colorOf(1))
                                && p.relation().holds(a.centerX(), a.centerY(), b.centerX(), b.centerY())) yield true;
                }
                yield false;
            }
        };
    }

    /**
     * How many objects the prompt names: what a faithful image of a caption that describes the
     * whole scene holds (single_object 1, counting N, position and color_attr 2); two_object and
     * colors scenes may hold more (up to 4).
     */
    public static int mentionedObjects(ShapesPrompt p) {
        return switch (p.category()) {
            case SINGLE_OBJECT, COLORS -> 1;
            case TWO_OBJECT, COLOR_ATTR, POSITION -> 2;
            case COUNTING -> p.count();
        };
    }

    /**
     * The detected objects the prompt names, each at most once, in detection order (row-major by
     * first pixel, as {@link ShapesDetector#detect} lists them); every other detected object is an
     * extra. Per category:
     * <ul>
     * <li>single_object, colors: the first object of the shape (and colour, when named);</li>
     * <li>two_object, color_attr: the first object matching each of the two descriptions;</li>
     * <li>counting: the first N objects of the shape, whatever their colour ("two circles" names two
     *     circles; a third circle, or a square, is extra);</li>
     * <li>position: the first pair that stands in the relation (the pair {@link #passes} finds), or,
     *     when none does, the first object matching each description, as for two_object.</li>
     * </ul>
     */
    public static List<DetectedObject> named(ShapesPrompt p, List<DetectedObject> objects) {
        List<DetectedObject> named = new ArrayList<>();
        switch (p.category()) {
            case SINGLE_OBJECT, COLORS -> addFirst(named, objects, p.shapes().getFirst(), p.colorOf(0));
            case TWO_OBJECT, COLOR_ATTR -> {
                addFirst(named, objects, p.shapes().get(0), p.colorOf(0));
                addFirst(named, objects, p.shapes().get(1), p.colorOf(1));
            }
            case COUNTING -> {
                for (DetectedObject o : objects)
                    if (named.size() < p.count() && o.shape() == p.shapes().getFirst()) named.add(o);
            }
            case POSITION -> {
                for (DetectedObject a : objects) {
                    if (!named.isEmpty() || !a.matches(p.shapes().get(0), p.colorOf(0))) continue;
                    for (DetectedObject b : objects)
                        if (b != a && b.matches(p.shapes().get(1), p.colorOf(1))
                                && p.relation().holds(a.centerX(), a.centerY(), b.centerX(), b.centerY())) {
                            named.add(a);
                            named.add(b);
                            break;
                        }
                }
                if (named.isEmpty()) {
                    addFirst(named, objects, p.shapes().get(0), p.colorOf(0));
                    addFirst(named, objects, p.shapes().get(1), p.colorOf(1));
                }
            }
        }
        return named;
    }

    private static void addFirst(List<DetectedObject> named, List<DetectedObject> objects, ShapeKind shape, ShapeColor color) {
        for (DetectedObject o : objects)
            if (o.matches(shape, color) && !named.contains(o)) {
                named.add(o);
                return;
            }
    }

    private static boolean present(List<DetectedObject> objects, ShapeKind shape, ShapeColor color) {
        for (DetectedObject o : objects) if (o.matches(shape, color)) return true;
        return false;
    }
}
