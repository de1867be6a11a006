package dev.fusedit.training.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntBinaryOperator;

/**
 * Tar shards and images for the data tests, written with the JDK alone: a tar writer that can
 * spell long names the three ways tars do (ustar prefix, pax "path" record, GNU 'L' entry) and
 * PNG encoding through javax.imageio.
 */
public final class TestShards {
    private TestShards() {}

    public enum LongNames { USTAR_PREFIX, PAX, GNU }

    /** Builds a tar in memory, member by member. */
    /**
     * Samples s/000000, s/000001, ...: a PNG (KEY.image.png) of its own size and colour and the caption (KEY.txt),
     * one per caption; the training tests' shard.
     */
    public static Tar captionedImages(String... captions) {
        Tar tar = new Tar();
        for (int i = 0; i < captions.length; i++) {
            int w = 32 + 8 * i, h = 48 - 4 * i, colour = 0x203040 * (i + 1);
            tar.add("s/%06d.image.png".formatted(i), png(w, h, (x, y) -> (x + y) % 9 < 4 ? colour : 0xFFFFFF));
            tar.add("s/%06d.txt".formatted(i), captions[i]);
        }
        return tar;
    }

    public static final class Tar {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final LongNames longNames;

        public Tar(LongNames longNames) {
            this.longNames = longNames;
        }

        public Tar() {
            this(LongNames.PAX);
        }

        public Tar add(String name, byte[] data) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            if (utf8.length <= 100) {
                header(name, "", data.length, '0');
            } else if (longNames == LongNames.USTAR_PREFIX) {
                int slash = name.lastIndexOf('/');
                header(name.substring(slash + 1), name.substring(0, slash), data.length, '0');
            } else if (longNames == LongNames.PAX) {
                String record = "path=" + name + "\n";
                int len = record.length() + 3;
                while (Integer.toString(len).length() + 1 + record.length() != len) len++;
                byte[] pax = (len + " " + record).getBytes(StandardCharsets.UTF_8);
                header("././@PaxHeader", "", pax.length, 'x');
                body(pax);
                header(name.substring(0, 100), "", data.length, '0');
            } else {
                byte[] longName = (name + "\0").getBytes(StandardCharsets.UTF_8);
                header("././@LongLink", "", longName.length, 'L');
                body(longName);
                header(name.substring(0, 100), "", data.length, '0');
            }
            body(data);
            return this;
        }

        /** A symbolic link member (type '2') named name that points at target; it carries no data. */
        public Tar addSymbolicLink(String name, String target) {
            header(name, "", 0, '2', target);
            return this;
        }

        public Tar add(String name, String text) {
            return add(name, text.getBytes(StandardCharsets.UTF_8));
        }

        /** The tar with its end marker (two zero blocks). */
        public byte[] bytes() {
            byte[] body = out.toByteArray();
            byte[] all = new byte[body.length + 1024];
            System.arraycopy(body, 0, all, 0, body.length);
            return all;
        }

        public Path write(Path file) {
            try {
                return Files.write(file, bytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void header(String name, String prefix, long size, char type) {
            header(name, prefix, size, type, "");
        }

        private void header(String name, String prefix, long size, char type, String linkTarget) {
            byte[] h = new byte[512];
            put(h, 0, name, 100);
            put(h, 157, linkTarget, 100);
            put(h, 100, "0000644", 8);
            put(h, 108, "0000000", 8);
            put(h, 116, "0000000", 8);
            put(h, 124, String.format("%011o", size), 12);
            put(h, 136, "00000000000", 12);
            h[156] = (byte) type;
            if (longNames == LongNames.GNU) {
                put(h, 257, "ustar ", 6);
                put(h, 263, " ", 2);
            } else {
                put(h, 257, "ustar", 6);
                put(h, 263, "00", 2);
                put(h, 345, prefix, 155);
            }
            for (int i = 148; i < 156; i++) h[i] = ' ';
            long sum = 0;
            for (byte b : h) sum += b & 0xff;
            put(h, 148, String.format("%06o", sum), 7);
            out.writeBytes(h);
        }

        private void body(byte[] data) {
            out.writeBytes(data);
            out.writeBytes(new byte[(int) (TarShardScanner.roundUp(data.length) - data.length)]);
        }

        private static void put(byte[] h, int at, String s, int max) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > max) throw new IllegalArgumentException(s + " does not fit " + max + " bytes");
            System.arraycopy(b, 0, h, at, b.length);
        }
    }

    /** A PNG of an RGB image whose pixel (x, y) is rgb(x, y) = 0xRRGGBB. */
    public static byte[] png(int width, int height, IntBinaryOperator rgb) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) img.setRGB(x, y, rgb.applyAsInt(x, y));
        return encode(img, "png");
    }

    public static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) throw new IllegalStateException("no " + format + " writer");
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
