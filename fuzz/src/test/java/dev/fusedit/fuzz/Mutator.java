package dev.fusedit.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes a hostile input from a valid one: one to four edits drawn from what breaks parsers in
 * practice. Byte edits (flips, interesting bytes, cuts, repeats, splices with another input of the
 * corpus) reach binary headers; number edits (a digit run replaced by 0, -1, 2^31, 2^63 and
 * beyond, 1e308, a long run of digits) reach every size, offset and count a file claims; token
 * edits (a quote, a bracket, "..", "/" dropped or inserted) reach the structure of JSON, YAML and
 * paths. Deterministic for a given random stream, so a campaign's seed replays it exactly.
 */
final class Mutator {
    private static final String[] NUMBERS = {"0", "-1", "1", "2", "255", "256", "65535", "2147483647", "2147483648", "-2147483649",
            "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551616", "1e308", "-1e308", "1e-320", "NaN",
            "0.5", "99999999999999999999999999999", "0x7fffffff", "007", "1" + "0".repeat(400)};
    private static final String[] TOKENS = {"\"", "{", "}", "[", "]", ",", ":", "null", "true", "\\", "\\u0000", "../", "/", "..",
            "/etc/passwd", "\n", "- ", "&a", "*a", "!!binary", "~", "'", "#", "\t", "\u0000", "\u2581", "\uD800", "%", "{}", "[]"};
    private static final byte[] BYTES = {0, (byte) 0xff, (byte) 0x80, 0x7f, 0x01, '0', '7', '9', ' ', '\n', '"', '{', '}'};

    private final SplittableRandom rng;
    private final TreeMutator trees;

    /** format: how the inputs parse as trees (JSON, YAML, JSON lines), or null for binary inputs. */
    Mutator(SplittableRandom rng, TreeMutator.Format format) {
        this.rng = rng;
        this.trees = format == null ? null : new TreeMutator(rng, format);
    }

    byte[] mutate(byte[] parent, List<byte[]> corpus) {
        // text formats: most inputs get a tree edit (parseable, reaching the field checks), the rest byte edits
        if (trees != null && rng.nextInt(3) > 0) {
            byte[] edited = trees.mutate(parent);
            if (edited != null) {
                // now and then a second edit, for checks that compare two fields
                byte[] twice = rng.nextInt(4) == 0 ? trees.mutate(edited) : null;
                return twice != null ? twice : edited;
            }
        }
        byte[] b = parent;
        int edits = 1 + rng.nextInt(4);
        for (int i = 0; i < edits; i++) b = edit(b, corpus);
        return b;
    }

    private byte[] edit(byte[] b, List<byte[]> corpus) {
        if (b.length == 0) return new byte[] {BYTES[rng.nextInt(BYTES.length)]};
        return switch (rng.nextInt(11)) {
            case 0 -> flipBit(b);
            case 1 -> setByte(b);
            case 2 -> cut(b);
            case 3 -> truncate(b);
            case 4 -> repeat(b);
            case 5 -> splice(b, corpus.get(rng.nextInt(corpus.size())));
            case 6, 7, 8 -> replaceNumber(b);
            case 9 -> insertToken(b);
            default -> deleteToken(b);
        };
    }

    private byte[] flipBit(byte[] b) {
        byte[] c = b.clone();
        int at = rng.nextInt(c.length);
        c[at] ^= (byte) (1 << rng.nextInt(8));
        return c;
    }

    private byte[] setByte(byte[] b) {
        byte[] c = b.clone();
        c[rng.nextInt(c.length)] = rng.nextBoolean() ? BYTES[rng.nextInt(BYTES.length)] : (byte) rng.nextInt(256);
        return c;
    }

    private byte[] cut(byte[] b) {
        int from = rng.nextInt(b.length), len = 1 + rng.nextInt(Math.min(64, b.length - from));
        return concat(slice(b, 0, from), slice(b, from + len, b.length));
    }

    private byte[] truncate(byte[] b) {
        return slice(b, 0, rng.nextInt(b.length));
    }

    private byte[] repeat(byte[] b) {
        int from = rng.nextInt(b.length), len = 1 + rng.nextInt(Math.min(512, b.length - from));
        byte[] part = slice(b, from, from + len);
        return concat(slice(b, 0, from + len), part, slice(b, from, b.length));
    }

    private byte[] splice(byte[] b, byte[] other) {
        if (other.length == 0) return b;
        int at = rng.nextInt(b.length), from = rng.nextInt(other.length), len = rng.nextInt(Math.min(256, other.length - from) + 1);
        return concat(slice(b, 0, at), slice(other, from, from + len), slice(b, Math.min(b.length, at + len), b.length));
    }

    /** Finds a run of ASCII digits near a random position and replaces it with an interesting number. */
    private byte[] replaceNumber(byte[] b) {
        int start = rng.nextInt(b.length);
        for (int i = 0; i < b.length; i++) {
            int at = (start + i) % b.length;
            if (isDigit(b[at])) {
                int from = at, to = at;
                while (from > 0 && isDigit(b[from - 1])) from--;
                while (to < b.length && isDigit(b[to])) to++;
                byte[] number = NUMBERS[rng.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
                return concat(slice(b, 0, from), number, slice(b, to, b.length));
            }
        }
        return setByte(b);
    }

    private byte[] insertToken(byte[] b) {
        int at = rng.nextInt(b.length + 1);
        byte[] token = TOKENS[rng.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8);
        return concat(slice(b, 0, at), token, slice(b, at, b.length));
    }

    /** Drops one structural character (a quote, bracket, comma, colon, newline), the edit that unbalances text formats. */
    private byte[] deleteToken(byte[] b) {
        int start = rng.nextInt(b.length);
        for (int i = 0; i < b.length; i++) {
            int at = (start + i) % b.length;
            if ("\"{}[],:\n".indexOf(b[at]) >= 0) return concat(slice(b, 0, at), slice(b, at + 1, b.length));
        }
        return cut(b);
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, Math.max(from, to));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
