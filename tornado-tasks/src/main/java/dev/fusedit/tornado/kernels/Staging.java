package dev.fusedit.tornado.kernels;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Moving data between the tensors' segments and TornadoVM's arrays. TornadoVM arrays carry a
 * header in front of their data, so a tensor's segment cannot be handed over as is: it is copied
 * into a staging array of the plan (host to host, then TornadoVM sends it). Staging arrays come in
 * power-of-two size classes so that one compiled plan serves many shapes.
 */
final class Staging {
    private Staging() {}

    /** The largest size class: 2^30 floats (4 GiB), within TornadoVM's int-indexed arrays. */
    static final long MAX_ELEMENTS = 1L << 30;

    /** The size class of an array that must hold {@code elements}: the next power of two, at least 64. */
    static int sizeClass(long elements, String what) {
        if (elements > MAX_ELEMENTS)
            throw new DeviceLimitException(what + " holds " + elements + " elements, more than the " + MAX_ELEMENTS + " one TornadoVM array may hold");
        return (int) Math.max(64, Long.highestOneBit(Math.max(1, elements - 1)) << 1);
    }

    static void copyIn(MemorySegment src, long floats, FloatArray dst) {
        MemorySegment.copy(src, 0, dst.getSegment(), 0, floats * Float.BYTES);
    }

    static void copyOut(FloatArray src, long floats, MemorySegment dst) {
        MemorySegment.copy(src.getSegment(), 0, dst, 0, floats * Float.BYTES);
    }

    /** Elements a batched operand spans: the last batch's start plus one matrix (stride 0: one matrix). */
    static long batchedExtent(int batch, long stride, long matrix) {
        if (batch == 0 || matrix == 0) return 0;
        return (batch - 1) * stride + matrix;
    }

    static void requireElements(MemorySegment segment, long elements, ValueLayout layout, String what) {
        if (segment == null) throw new IllegalArgumentException(what + " is null");
        if (segment.byteSize() < elements * layout.byteSize())
            throw new IllegalArgumentException(what + " needs " + elements + " elements, the segment holds " + segment.byteSize() / layout.byteSize());
    }

    static void requireFloats(MemorySegment segment, long floats, String what) {
        requireElements(segment, floats, ValueLayout.JAVA_FLOAT, what);
    }
}
