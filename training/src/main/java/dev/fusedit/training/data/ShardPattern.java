package dev.fusedit.training.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * data_path as the reference writes it: sources joined by "::", each a path with brace groups
 * as webdataset expands them (the braceexpand package): "{0000..2175}" is a numeric range,
 * zero-padded to the width of its endpoints when either has a leading zero, "{a,b}" a list;
 * groups may repeat and nest. Relative paths resolve against the working directory, as every
 * other path in a training YAML does (model.base, noise_scheduler.path, trainer.text_model).
 */
public final class ShardPattern {
    private ShardPattern() {}

    /** The existing shards, in pattern order, and the expanded names that did not exist. */
    public record Shards(List<Path> existing, List<String> missing) {}

    /**
     * Expands {@code dataPath} and checks the files. A source none of whose names exist fails
     * with an IOException naming it; single missing shards of a source are only listed.
     */
    public static Shards resolve(String dataPath, Path workingDirectory) throws IOException {
        List<Path> existing = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String source : dataPath.split("::", -1)) {
            if (source.isBlank()) throw new IOException("data.data_path '" + dataPath + "': empty source between '::'");
            List<String> names;
            try {
                names = expand(source.strip());
            } catch (IllegalArgumentException e) {
                throw new IOException("data.data_path '" + source.strip() + "': " + e.getMessage());
            }
            int found = 0;
            for (String name : names) {
                Path p = workingDirectory.resolve(name).normalize();
                if (Files.isRegularFile(p)) {
                    existing.add(p);
                    found++;
                } else {
                    missing.add(name);
                }
            }
            if (found == 0)
                throw new IOException("data.data_path '" + source.strip() + "' matches no existing file (" + names.size() + " name"
                        + (names.size() == 1 ? "" : "s") + ", e.g. " + workingDirectory.resolve(names.get(0)).normalize() + ")");
        }
        return new Shards(List.copyOf(existing), List.copyOf(missing));
    }

    /** Every name {@code pattern} stands for, in order. */
    public static List<String> expand(String pattern) {
        int open = pattern.indexOf('{');
        if (open < 0) {
            if (pattern.indexOf('}') >= 0) throw new IllegalArgumentException("'}' without '{'");
            return List.of(pattern);
        }
        int close = matchingBrace(pattern, open);
        String head = pattern.substring(0, open), body = pattern.substring(open + 1, close);
        List<String> tails = expand(pattern.substring(close + 1));
        List<String> out = new ArrayList<>();
        for (String alternative : alternatives(body))
            for (String inner : expand(alternative))
                for (String tail : tails) out.add(head + inner + tail);
        return out;
    }

    private static int matchingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (s.charAt(i) == '{') depth++;
            else if (s.charAt(i) == '}' && --depth == 0) return i;
        }
        throw new IllegalArgumentException("'{' at position " + open + " is never closed");
    }

    /** The alternatives of one brace group: a numeric range "a..b", or the comma-separated items at its top level. */
    private static List<String> alternatives(String body) {
        List<String> range = numericRange(body);
        if (range != null) return range;
        List<String> items = new ArrayList<>();
        int depth = 0, from = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '{') depth++;
            else if (c == '}') depth--;
            else if (c == ',' && depth == 0) {
                items.add(body.substring(from, i));
                from = i + 1;
            }
        }
        items.add(body.substring(from));
        if (items.size() == 1) throw new IllegalArgumentException("'{" + body + "}' is neither a range {A..B} nor a list {a,b}");
        return items;
    }

    private static List<String> numericRange(String body) {
        int dots = body.indexOf("..");
        if (dots < 0) return null;
        String a = body.substring(0, dots), b = body.substring(dots + 2);
        if (!a.matches("\\d+") || !b.matches("\\d+")) return null;
        long from = Long.parseLong(a), to = Long.parseLong(b);
        boolean padded = (a.length() > 1 && a.charAt(0) == '0') || (b.length() > 1 && b.charAt(0) == '0');
        int width = padded ? Math.max(a.length(), b.length()) : 0;
        if (Math.abs(to - from) >= 10_000_000) throw new IllegalArgumentException("range {" + body + "} has more than 10,000,000 names");
        List<String> out = new ArrayList<>();
        long step = from <= to ? 1 : -1;
        for (long v = from; ; v += step) {
            String s = Long.toString(v);
            out.add(width > s.length() ? "0".repeat(width - s.length()) + s : s);
            if (v == to) break;
        }
        return out;
    }
}
