package dev.fusedit.training.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A float32 array as a NumPy .npy file (format 1.0, little-endian, C order): the member format of
 * precomputed latent shards, so Python tools read them with numpy.load as they are.
 */
public final class NpyFloats {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final Pattern HEADER = Pattern.compile(
            "\\{'descr': '<f4', 'fortran_order': False, 'shape': \\(([0-9, ]*)\\), }\\s*");

    /** The array's shape and its values in C order. */
    public record Array(int[] shape, float[] values) {}

    private NpyFloats() {}

    public static byte[] encode(float[] values, int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != values.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got " + values.length);
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        if (shape.length > 1) dims.setLength(dims.length() - 2);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        // the header (magic, length field, dict, padding, newline) is padded to a multiple of 64 bytes
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + header.length() + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        b.asFloatBuffer().put(values);
        return b.array();
    }

    /** Reads what {@link #encode} writes; anything else (another dtype, a cut file) is an IOException saying what. */
    public static Array decode(byte[] bytes) throws IOException {
        if (bytes.length < MAGIC.length + 2 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length))
            throw new IOException("not a .npy file of format 1.0");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Short.toUnsignedInt(b.getShort(MAGIC.length));
        int dataStart = MAGIC.length + 2 + headerLength;
        if (dataStart > bytes.length) throw new IOException(".npy header runs past the end of the file");
        Matcher m = HEADER.matcher(new String(bytes, MAGIC.length + 2, headerLength, StandardCharsets.US_ASCII));
        if (!m.matches()) throw new IOException(".npy is not a little-endian float32 array in C order");
        int[] shape = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long n = 1;
        for (int d : shape) n *= d;
        if (n * 4 != bytes.length - dataStart)
            throw new IOException(".npy of shape " + Arrays.toString(shape) + " needs " + n * 4 + " data bytes, has " + (bytes.length - dataStart));
        float[] values = new float[(int) n];
        b.position(dataStart);
        b.asFloatBuffer().get(values);
        return new Array(shape, values);
    }
}
