package dev.fusedit.shapes;

import java.util.Locale;

/** The six palette colours of the shapes world; every drawn pixel is exactly one of them. */
public enum ShapeColor {
    RED(220, 40, 40),
    GREEN(40, 190, 60),
    BLUE(50, 80, 230),
    YELLOW(230, 210, 40),
    MAGENTA(200, 50, 200),
    CYAN(40, 200, 210);

    private final int r, g, b;

    ShapeColor(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
    }

    public int r() {
        return r;
    }

    public int g() {
        return g;
    }

    public int b() {
        return b;
    }

    /** The caption word, e.g. "red". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The colour named by a caption word; IllegalArgumentException for anything else. */
    public static ShapeColor fromWord(String word) {
        for (ShapeColor c : values()) if (c.word().equals(word)) return c;
        throw new IllegalArgumentException("unknown colour '" + word + "', expected one of red, green, blue, yellow, magenta, cyan");
    }
}
