package dev.fusedit.training.data;

import dev.fusedit.tensor.io.FormatException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Walks the headers of a tar file (POSIX ustar with its name prefix, pax extended headers, GNU
 * long names: what Python's tarfile writes for webdataset's TarWriter) and reports each regular
 * file as a {@link Member} with the offset and length of its data, without reading the data.
 *
 * <p>A tar has no index, so a damaged header (bad checksum) or a member whose data runs past the
 * end of the file ends the walk: what came before it is still good, and the result says where
 * and why the walk stopped. A file whose very first header is not a tar header fails with an
 * FormatException naming the file.
 */
public final class TarShardScanner {
    private TarShardScanner() {}

    static final int BLOCK = 512;
    /** pax and GNU long-name payloads larger than this are not names; refusing them bounds memory on garbage. */
    private static final long MAX_NAME_PAYLOAD = 1 << 20;

    /** A regular file in the tar: its full name and where its data lies. */
    public record Member(String name, long dataOffset, long size) {}

    /** How a walk ended: {@code damage} is null for a clean end, else why the rest of the file was unreadable. */
    public record Result(int members, String damage) {}

    public interface MemberSink {
        void accept(Member member) throws IOException;
    }

    /** Reports every regular file of {@code tar} to {@code sink}, in file order. */
    public static Result scan(Path tar, MemberSink sink) throws IOException {
        try (FileChannel ch = FileChannel.open(tar, StandardOpenOption.READ)) {
            long length = ch.size();
            if (length == 0) throw new FormatException(tar, "empty file, not a tar");
            ByteBuffer header = ByteBuffer.allocate(BLOCK);
            long pos = 0;
            int members = 0;
            String longName = null;   // from a GNU 'L' entry or a pax 'path' record, for the next member
            long paxSize = -1;        // from a pax 'size' record, for the next member
            while (true) {
                if (pos + BLOCK > length)
                    return pos == length && members > 0 ? new Result(members, null)
                            : damaged(tar, pos, members, "file ends inside a header (truncated)");
                readFully(ch, header.clear(), pos);
                byte[] h = header.array();
                if (isZeroBlock(h)) return new Result(members, null);
                if (!checksumMatches(h)) {
                    if (pos == 0) throw new FormatException(tar, "not a tar file (the first 512 bytes are not a tar header)");
                    return damaged(tar, pos, members, "header checksum mismatch");
                }
                long size = paxSize >= 0 ? paxSize : parseNumber(h, 124, 12);
                if (size < 0) return damaged(tar, pos, members, "unreadable size field");
                long data = pos + BLOCK;
                if (data + size > length) return damaged(tar, pos, members, "member data runs past the end of the file (truncated)");
                char type = (char) h[156];
                switch (type) {
                    case '0', '\0', '7' -> {
                        String name = longName != null ? longName : headerName(h);
                        sink.accept(new Member(name, data, size));
                        members++;
                        longName = null;
                        paxSize = -1;
                    }
                    case 'L' -> {
                        if (size > MAX_NAME_PAYLOAD) return damaged(tar, pos, members, "GNU long name of " + size + " bytes");
                        longName = cString(readBytes(ch, data, (int) size));
                    }
                    case 'x' -> {
                        if (size > MAX_NAME_PAYLOAD) return damaged(tar, pos, members, "pax header of " + size + " bytes");
                        String[] fields = new String[2];
                        String damage = applyPax(readBytes(ch, data, (int) size), (key, value) -> {
                            if (key.equals("path")) fields[0] = value;
                            if (key.equals("size")) fields[1] = value;
                        });
                        if (damage != null) return damaged(tar, pos, members, damage);
                        if (fields[0] != null) longName = fields[0];
                        if (fields[1] != null) {
                            try {
                                paxSize = Long.parseLong(fields[1]);
                            } catch (NumberFormatException e) {
                                return damaged(tar, pos, members, "pax size '" + fields[1] + "' is not a number");
                            }
                        }
                    }
                    default -> {
                        // directories, links, pax global headers ('g'), GNU long link names ('K'): no sample data
                        if (type != 'K') {
                            longName = null;
                            paxSize = -1;
                        }
                    }
                }
                pos = data + roundUp(size);
            }
        }
    }

    private static Result damaged(Path tar, long pos, int members, String why) throws IOException {
        if (members == 0 && pos == 0) throw new FormatException(tar, "not a tar file (" + why + ")");
        return new Result(members, "at byte " + pos + ": " + why);
    }

    /** Reads {@code length} bytes at {@code offset}; the caller has checked they lie inside the file. */
    public static byte[] readBytes(FileChannel ch, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        readFully(ch, buf, offset);
        return buf.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long offset) throws IOException {
        long at = offset;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at);
            if (n < 0) throw new EOFException("file ended at byte " + at + " while reading " + buf.limit() + " bytes at " + offset);
            at += n;
        }
    }

    static long roundUp(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static boolean isZeroBlock(byte[] h) {
        for (byte b : h) if (b != 0) return false;
        return true;
    }

    /** The header sum with the checksum field read as spaces; old tars summed signed bytes, so both are accepted. */
    private static boolean checksumMatches(byte[] h) {
        long stored = parseNumber(h, 148, 8);
        if (stored < 0) return false;
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        return stored == unsigned || stored == signed;
    }

    /** An octal field (NUL/space padded), or GNU base-256 when the top bit of its first byte is set; -1 if unreadable. */
    static long parseNumber(byte[] h, int at, int length) {
        if ((h[at] & 0x80) != 0) {
            long v = h[at] & 0x7f;
            for (int i = 1; i < length; i++) {
                if (v > (Long.MAX_VALUE >>> 8)) return -1;
                v = (v << 8) | (h[at + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        boolean digits = false;
        for (int i = at; i < at + length; i++) {
            byte b = h[i];
            if (b == 0 || (b == ' ' && digits)) break;
            if (b == ' ') continue;
            if (b < '0' || b > '7') return -1;
            v = v * 8 + (b - '0');
            digits = true;
        }
        return digits ? v : -1;
    }

    /** name, with the ustar prefix when the magic says POSIX ustar (GNU tars use that area for other fields). */
    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean posix = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r' && h[262] == 0;
        if (posix) {
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) return prefix + "/" + name;
        }
        return name;
    }

    private static String cString(byte[] b) {
        return cString(b, 0, b.length);
    }

    private static String cString(byte[] b, int at, int max) {
        int end = at;
        while (end < at + max && b[end] != 0) end++;
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    private interface PaxRecord {
        void accept(String key, String value);
    }

    /** Parses "LEN key=value\n" records; returns why they are malformed, or null. */
    private static String applyPax(byte[] payload, PaxRecord record) {
        int i = 0;
        while (i < payload.length) {
            if (payload[i] == 0) break;
            int space = i;
            while (space < payload.length && payload[space] != ' ') space++;
            int len;
            try {
                len = Integer.parseInt(new String(payload, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                return "malformed pax record length";
            }
            if (len <= space - i + 1 || i + len > payload.length || payload[i + len - 1] != '\n') return "malformed pax record";
            String rec = new String(payload, space + 1, i + len - 1 - (space + 1), StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq < 0) return "pax record without '='";
            record.accept(rec.substring(0, eq), rec.substring(eq + 1));
            i += len;
        }
        return null;
    }
}
