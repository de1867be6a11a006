package dev.fusedit.training.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a POSIX (ustar) tar stream of regular files, the layout {@link TarShardScanner} reads;
 * names longer than the header's 100 bytes go in a pax "path" record first. {@link #finish()}
 * writes the end marker; the stream is the caller's to close.
 */
public final class TarWriter {
    private static final int BLOCK = 512;

    private final OutputStream out;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** One regular file named {@code name} holding {@code data}. */
    public void add(String name, byte[] data) throws IOException {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 100) {
            String record = "path=" + name + "\n";
            // the record's length counts its own decimal digits
            int len = record.getBytes(StandardCharsets.UTF_8).length + 2;
            while ((len + " " + record).getBytes(StandardCharsets.UTF_8).length != len) len++;
            byte[] pax = (len + " " + record).getBytes(StandardCharsets.UTF_8);
            header("././@PaxHeader".getBytes(StandardCharsets.US_ASCII), pax.length, 'x');
            body(pax);
        }
        header(utf8, data.length, '0');   // a long name is cut to 100 bytes here; readers take the pax path
        body(data);
    }

    /** The end of the archive: two zero blocks. */
    public void finish() throws IOException {
        out.write(new byte[2 * BLOCK]);
    }

    private void header(byte[] name, long size, char type) throws IOException {
        byte[] h = new byte[BLOCK];
        put(h, 0, name, 100);
        put(h, 100, "0000644".getBytes(StandardCharsets.US_ASCII), 8);
        put(h, 108, "0000000".getBytes(StandardCharsets.US_ASCII), 8);
        put(h, 116, "0000000".getBytes(StandardCharsets.US_ASCII), 8);
        put(h, 124, String.format("%011o", size).getBytes(StandardCharsets.US_ASCII), 12);
        put(h, 136, "00000000000".getBytes(StandardCharsets.US_ASCII), 12);
        h[156] = (byte) type;
        put(h, 257, "ustar".getBytes(StandardCharsets.US_ASCII), 6);
        put(h, 263, "00".getBytes(StandardCharsets.US_ASCII), 2);
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o\0", sum).getBytes(StandardCharsets.US_ASCII), 8);
        out.write(h);
    }

    private void body(byte[] data) throws IOException {
        out.write(data);
        out.write(new byte[(int) (TarShardScanner.roundUp(data.length) - data.length)]);
    }

    private static void put(byte[] h, int at, byte[] s, int max) {
        System.arraycopy(s, 0, h, at, Math.min(s.length, max));
    }
}
