package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the Vector API kernels over flat float buffers share: segment access at the chosen width,
 * size checks, and the cutting of a call into contiguous chunks of rows (or elements) run on the
 * pool. Calls smaller than {@link #SERIAL_ELEMENTS} run on the caller. The chunking depends only
 * on the sizes, never on the thread count, so a sum across chunks (RMSNorm's dw, a gradient's
 * sum of squares) is reduced in the same order on every machine.
 */
final class VectorLoops {
    private VectorLoops() {}

    /** Below this many elements a call runs on the calling thread: forking would cost more than it saves. */
    static final long SERIAL_ELEMENTS = 32 * 1024;
    /**
     * Elements per inner loop of the element-wise kernels (GeGLU, AdamW, ...). Their loops count
     * with an int within a block rather than with a long over the chunk: C2 turns a long-counted
     * loop over MemorySegment accesses into a loop nest with profiled predicates, and on 16M
     * elements geglu's kept failing them ("profile_predicate" deoptimization), recompiling dozens
     * of times and running at 1-2 GB/s in between. Small enough that the tests' sizes cross block
     * ends (the call per block costs nothing next to 16K elements).
     */
    static final int BLOCK = 1 << 14;
    /** Most chunks one call is cut into (bounds the dw partial buffers). */
    static final int MAX_CHUNKS = 64;

    static final VectorSpecies<Float> F = VectorWidth.F;
    static final int L = VectorWidth.LANES;
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** Work over rows (or elements) [from, to), which are chunk number chunk of the call. */
    @FunctionalInterface
    interface Chunk {
        void run(int chunk, long from, long to);
    }

    /** Chunks that count rows of width elementsPerRow cut into: 1 for small calls, at most MAX_CHUNKS. */
    static int chunks(long count, long elementsPerRow) {
        long elements = count * elementsPerRow;
        if (elements < SERIAL_ELEMENTS) return 1;
        return (int) Math.min(Math.min(MAX_CHUNKS, count), elements / (SERIAL_ELEMENTS / 2));
    }

    static long chunkStart(long count, int chunks, int chunk) {
        return count * chunk / chunks;
    }

    /** Runs body over count rows in chunks(count, elementsPerRow) contiguous chunks on the pool. */
    static void parallel(KernelPool pool, long count, long elementsPerRow, Chunk body) {
        int chunks = chunks(count, elementsPerRow);
        if (chunks == 1) {
            body.run(0, 0, count);
            return;
        }
        pool.forEach(chunks, c -> body.run(c, chunkStart(count, chunks, c), chunkStart(count, chunks, c + 1)));
    }

    static FloatVector load(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(F, s, element * Float.BYTES, ORDER);
    }

    static void store(FloatVector v, MemorySegment s, long element) {
        v.intoMemorySegment(s, element * Float.BYTES, ORDER);
    }

    static float get(MemorySegment s, long element) {
        return s.getAtIndex(FLOAT, element);
    }

    static void put(MemorySegment s, long element, float value) {
        s.setAtIndex(FLOAT, element, value);
    }

    static void requireFloats(MemorySegment segment, long elements, String what) {
        if (segment == null) throw new IllegalArgumentException(what + " is null");
        if (elements < 0) throw new IllegalArgumentException(what + ": negative size " + elements);
        if (segment.byteSize() < elements * Float.BYTES)
            throw new IllegalArgumentException(what + " needs " + elements + " floats, the segment holds " + segment.byteSize() / Float.BYTES);
    }
}
