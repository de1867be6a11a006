package dev.fusedit.shapes;

import java.util.Locale;

/** The six GenEval-style prompt categories, in the order reports list them. */
public enum Category {
    SINGLE_OBJECT,
    TWO_OBJECT,
    COUNTING,
    COLORS,
    POSITION,
    COLOR_ATTR;

    /** The name used in prompt files and reports, e.g. "single_object". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Category fromId(String id) {
        for (Category c : values()) if (c.id().equals(id)) return c;
        throw new IllegalArgumentException("unknown category '" + id + "', expected one of single_object, two_object, counting, colors, position, color_attr");
    }
}
