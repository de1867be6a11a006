package dev.fusedit.shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * Draws a scene that makes a caption true. The objects the caption names come first (colours
 * not named are drawn at random); only two_object and colors captions get extra objects of any
 * shape and colour (the total uniform up to 4), the other categories describe the whole scene.
 * Sizes are uniform in 7..11 and positions uniform over the canvas, redrawn until the objects
 * keep their 2-pixel gaps and a position caption's relation holds between its two objects.
 */
public final class SceneSampler {
    /** Position draws for one object before the whole layout is redrawn. */
    private static final int TRIES_PER_OBJECT = 200;
    /** Whole-layout redraws before giving up (never reached by the spec's captions). */
    private static final int LAYOUT_TRIES = 10_000;

    private SceneSampler() {}

    private record Wanted(ShapeKind shape, ShapeColor color) {}

    public static Scene sceneFor(ShapesPrompt prompt, SampleRandom r) {
        List<Wanted> wanted = new ArrayList<>();
        switch (prompt.category()) {
            case COUNTING -> {
                for (int i = 0; i < prompt.count(); i++) wanted.add(new Wanted(prompt.shapes().getFirst(), r.pick(ShapeColor.values())));
            }
            default -> {
                for (int i = 0; i < prompt.shapes().size(); i++) {
                    ShapeColor c = prompt.colorOf(i);
                    wanted.add(new Wanted(prompt.shapes().get(i), c != null ? c : r.pick(ShapeColor.values())));
                }
            }
        }
        if (prompt.category() == Category.TWO_OBJECT || prompt.category() == Category.COLORS) {
            int total = r.nextInt(wanted.size(), Scene.MAX_OBJECTS);
            while (wanted.size() < total) wanted.add(new Wanted(r.pick(ShapeKind.values()), r.pick(ShapeColor.values())));
        }
        return new Scene(place(wanted, prompt.relation(), r));
    }

    /** Sizes and positions for the wanted objects; when a relation is given, object 0 stands in it to object 1. */
    private static List<SceneObject> place(List<Wanted> wanted, Relation relation, SampleRandom r) {
        List<SceneObject> placed = new ArrayList<>(wanted.size());
        for (int layout = 0; layout < LAYOUT_TRIES; layout++) {
            placed.clear();
            for (Wanted w : wanted) {
                SceneObject o = placeOne(w, placed, relation, r);
                if (o == null) break;
                placed.add(o);
            }
            if (placed.size() == wanted.size()) return placed;
        }
        throw new IllegalStateException("no layout found for " + wanted + " in " + LAYOUT_TRIES + " tries");
    }

    private static SceneObject placeOne(Wanted w, List<SceneObject> placed, Relation relation, SampleRandom r) {
        int size = r.nextInt(ShapeKind.MIN_SIZE, ShapeKind.MAX_SIZE);
        int room = Scene.CANVAS - size;
        next:
        for (int t = 0; t < TRIES_PER_OBJECT; t++) {
            SceneObject o = new SceneObject(w.shape(), w.color(), r.nextInt(0, room), r.nextInt(0, room), size);
            for (SceneObject p : placed) if (!o.separatedFrom(p)) continue next;
            if (relation != null && placed.size() == 1 && !relation.holds(placed.getFirst(), o)) continue;
            return o;
        }
        return null;
    }
}
