package dev.fusedit.tensor.bench;

import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The memory-bandwidth reference of the kernel suite ({@link KernelSuite}, `fusedit bench kernels`
 * and the JMH KernelsBenchmark): a copy done the way the kernels
 * write, with ordinary Vector API stores, on the kernels' own pool threads, and counted in the
 * same unit as the kernels, bytes of memory traffic.
 *
 * <p>Why not MemorySegment.copy: for large sizes the JDK's copy stub uses non-temporal stores,
 * which write memory without reading the destination lines first. An ordinary store (all the
 * Vector API has) first reads the line it writes to (write-allocate): a copy of N bytes with
 * ordinary stores moves 3N bytes, one with non-temporal stores 2N. Measured here, the
 * ordinary-store copy's read+written rate is about 2/3 of MemorySegment.copy's: both move the
 * same bytes per second, counted differently. A single-threaded copy reference against
 * two-thread kernels, counted as read+written, therefore capped every out-of-place row kernel
 * near 0.67 while in-place AdamW could pass 1.
 */
public final class CopyBandwidth {
    /** Chunks per copy: enough that a thread slowed by other load does not hold up the other. */
    private static final int CHUNKS = 64;

    private final KernelPool pool;
    private final MemorySegment src, dst;
    private final long floats;

    public CopyBandwidth(KernelPool pool, MemorySegment src, MemorySegment dst) {
        if (src.byteSize() != dst.byteSize() || src.byteSize() % ((long) CHUNKS * VectorWidth.F.vectorByteSize()) != 0)
            throw new IllegalArgumentException("copy buffers must be equal and a multiple of " + CHUNKS + " vectors");
        this.pool = pool;
        this.src = src;
        this.dst = dst;
        this.floats = src.byteSize() / Float.BYTES;
    }

    /** Bytes of one {@link #read()}. */
    public long readBytes() {
        return src.byteSize();
    }

    /** One copy of src into dst, split over the pool. */
    public void copy() {
        pool.forEach(CHUNKS, c -> copyRange(src, dst, floats * c / CHUNKS, floats * (c + 1) / CHUNKS));
    }

    /**
     * One copy of src into dst by the JDK's {@link MemorySegment#copy}, split over the pool: the
     * fastest copy this machine does (non-temporal stores, no write-allocate), and the memory-bandwidth
     * limit of a kernel that only reads, counted as the project's baselines count a copy, bytes
     * read + written ({@link #jdkCopyBytes()}).
     */
    public void copyJdk() {
        long bytes = src.byteSize();
        pool.forEach(CHUNKS, c -> {
            long from = bytes * c / CHUNKS, to = bytes * (c + 1) / CHUNKS;
            MemorySegment.copy(src, from, dst, from, to - from);
        });
    }

    /** Bytes read + written by one {@link #copyJdk()}. */
    public long jdkCopyBytes() {
        return 2 * src.byteSize();
    }

    /**
     * A read of src with no writes, split over the pool like {@link #copy()}: what a kernel that
     * only reads (the bfloat16 matvec) can reach. On this machine (a VM on AMD EPYC, 2 threads)
     * it reaches only 0.4-0.7 of the copy's traffic: each core has only so many cache-line misses
     * in flight, and a copy's writes (and write-allocate reads) are traffic beyond them. The
     * same holds outside Java: a C loop of AVX-512 loads on two OpenMP threads read 29-31 GB/s
     * where an ordinary-store copy in the same program moved 43-46 GB/s (3N counted) and a
     * non-temporal one 41-46 (2N), with or without transparent huge pages.
     */
    public void read() {
        pool.forEach(CHUNKS, c -> readRange(src, floats * c / CHUNKS, floats * (c + 1) / CHUNKS, c));
    }

    /** Lane sums of each read chunk, kept so that the JIT cannot drop the reads. */
    private final float[] readSums = new float[CHUNKS];

    private void readRange(MemorySegment src, long from, long to, int chunk) {
        VectorSpecies<Float> f = VectorWidth.F;
        int lanes = f.length();
        // four independent sums, so that the adds' latency never limits the loads
        FloatVector s0 = FloatVector.zero(f), s1 = s0, s2 = s0, s3 = s0;
        long i = from;
        for (; i + 4L * lanes <= to; i += 4L * lanes) {
            s0 = s0.add(FloatVector.fromMemorySegment(f, src, i * Float.BYTES, ByteOrder.nativeOrder()));
            s1 = s1.add(FloatVector.fromMemorySegment(f, src, (i + lanes) * Float.BYTES, ByteOrder.nativeOrder()));
            s2 = s2.add(FloatVector.fromMemorySegment(f, src, (i + 2L * lanes) * Float.BYTES, ByteOrder.nativeOrder()));
            s3 = s3.add(FloatVector.fromMemorySegment(f, src, (i + 3L * lanes) * Float.BYTES, ByteOrder.nativeOrder()));
        }
        for (; i < to; i += lanes) s0 = s0.add(FloatVector.fromMemorySegment(f, src, i * Float.BYTES, ByteOrder.nativeOrder()));
        readSums[chunk] += s0.add(s1).add(s2).add(s3).lane(0);
    }

    /** Bytes of memory traffic of one {@link #copy()}: src read, dst read (write-allocate) and written. */
    public long trafficBytes() {
        return traffic(src.byteSize(), src.byteSize(), 0);
    }

    /**
     * Memory traffic of a kernel call: bytes read, plus bytes written to buffers the call did not
     * read first (which ordinary stores read before writing), plus bytes written in place.
     */
    public static long traffic(long readBytes, long freshWrittenBytes, long inPlaceWrittenBytes) {
        return readBytes + 2 * freshWrittenBytes + inPlaceWrittenBytes;
    }

    private static void copyRange(MemorySegment src, MemorySegment dst, long from, long to) {
        int lanes = VectorWidth.F.length();
        for (long i = from; i < to; i += lanes)
            FloatVector.fromMemorySegment(VectorWidth.F, src, i * Float.BYTES, ByteOrder.nativeOrder())
                    .intoMemorySegment(dst, i * Float.BYTES, ByteOrder.nativeOrder());
    }
}
