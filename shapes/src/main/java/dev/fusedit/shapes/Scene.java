package dev.fusedit.shapes;

import dev.fusedit.model.pipeline.RgbImage;

import java.util.List;

/** A 32 x 32 scene of 1 to 4 non-overlapping objects on black, checked against the world's rules when built. */
public record Scene(List<SceneObject> objects) {
    public static final int CANVAS = 32;
    public static final int MAX_OBJECTS = 4;

    public Scene {
        objects = List.copyOf(objects);
        if (objects.isEmpty() || objects.size() > MAX_OBJECTS)
            throw new IllegalArgumentException("a scene holds 1 to " + MAX_OBJECTS + " objects, got " + objects.size());
        for (int i = 0; i < objects.size(); i++) {
            SceneObject a = objects.get(i);
            if (!a.inside(CANVAS)) throw new IllegalArgumentException("object " + i + " " + a + " is not inside the " + CANVAS + " x " + CANVAS + " canvas");
            for (int j = 0; j < i; j++)
                if (!a.separatedFrom(objects.get(j)))
                    throw new IllegalArgumentException("objects " + j + " and " + i + " are closer than " + SceneObject.MIN_GAP + " px along both x and y");
        }
    }

    /** The scene as pixels: black background, each object's mask in its exact palette colour. */
    public RgbImage render() {
        byte[] px = new byte[CANVAS * CANVAS * 3];
        for (SceneObject o : objects) {
            boolean[] mask = o.shape().mask(o.size());
            for (int y = 0; y < o.size(); y++)
                for (int x = 0; x < o.size(); x++) {
                    if (!mask[y * o.size() + x]) continue;
                    int p = ((o.y() + y) * CANVAS + o.x() + x) * 3;
                    px[p] = (byte) o.color().r();
                    px[p + 1] = (byte) o.color().g();
                    px[p + 2] = (byte) o.color().b();
                }
        }
        return new RgbImage(CANVAS, CANVAS, px);
    }
}
