package dev.fusedit.tensor.random;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.KernelProvider;

import java.lang.foreign.MemorySegment;

/**
 * A seeded source of random tensors on Philox4x32-10. Each call is one {@link RandomDraw} with
 * the next request number, so a sequence of calls from one seed gives the same tensors on every
 * machine and for every thread count. {@link #split()} derives an independent generator (for a
 * data-loader worker, a layer's init, a sampling run) without disturbing this one's sequence.
 * Not thread-safe: one Rng per thread of control; the values of one call are filled in parallel.
 */
public final class Rng {
    /** ElementAccess per parallel task; fixed so the split of work never depends on the thread count. */
    private static final long CHUNK = 1 << 16;
    private static final long MAX_REQUESTS = Long.MAX_VALUE;

    private final int key0, key1;
    private long requests;
    private long splits;

    public Rng(long seed) {
        this((int) seed, (int) (seed >>> 32));
    }

    private Rng(int key0, int key1) {
        this.key0 = key0;
        this.key1 = key1;
    }

    /**
     * A new generator whose key is the Philox output for counter (n, 0xFFFFFFFF, 0xFFFFFFFF) —
     * request numbers stay below 2^63 and never reach that counter — where n counts this
     * generator's splits. Deterministic: the same seed and the same order of calls give the same children.
     */
    public Rng split() {
        int[] w = new int[4];
        long n = splits++;
        Philox.block((int) n, (int) (n >>> 32), -1, -1, key0, key1, w, 0);
        return new Rng(w[0], w[1]);
    }

    /** The next request; exposed so callers can fill their own buffers, in any split across threads. */
    public RandomDraw nextDraw() {
        if (requests == MAX_REQUESTS) throw new IllegalStateException("random generator exhausted its 2^63 requests");
        return new RandomDraw(key0, key1, requests++);
    }

    /** F32 standard normal values. */
    public Tensor normal(int... shape) {
        Tensor out = Tensor.zeros(DType.F32, shape);
        RandomDraw draw = nextDraw();
        MemorySegment s = out.data();
        inChunks(out.numel(), (from, to) -> draw.fillNormal(s, from, to));
        return out;
    }

    /** F32 values uniform in [lo, hi). */
    public Tensor uniform(double lo, double hi, int... shape) {
        if (!(lo < hi)) throw new IllegalArgumentException("uniform needs lo < hi, got [" + lo + ", " + hi + ")");
        Tensor out = Tensor.zeros(DType.F32, shape);
        RandomDraw draw = nextDraw();
        MemorySegment s = out.data();
        inChunks(out.numel(), (from, to) -> draw.fillUniform(s, from, to, lo, hi));
        return out;
    }

    /** I64 values uniform in [lo, hi). */
    public Tensor randint(long lo, long hi, int... shape) {
        if (hi <= lo || hi - lo <= 0) throw new IllegalArgumentException("randint needs lo < hi (range below 2^63), got [" + lo + ", " + hi + ")");
        Tensor out = Tensor.zeros(DType.I64, shape);
        RandomDraw draw = nextDraw();
        MemorySegment s = out.data();
        inChunks(out.numel(), (from, to) -> draw.fillRandint(s, from, to, lo, hi));
        return out;
    }

    @FunctionalInterface
    private interface RangeFill {
        void fill(long from, long to);
    }

    /** Fills [0, n) in fixed chunks, on the active provider's CPU pool when it has one. */
    private static void inChunks(long n, RangeFill fill) {
        int tasks = Math.toIntExact((n + CHUNK - 1) / CHUNK);
        IntRange body = i -> fill.fill(i * CHUNK, Math.min(n, (i + 1) * CHUNK));
        KernelPool pool = tasks > 1 ? KernelProvider.current().cpuPool() : null;
        if (pool != null) {
            pool.forEach(tasks, body::run);
        } else {
            for (int i = 0; i < tasks; i++) body.run(i);
        }
    }

    @FunctionalInterface
    private interface IntRange {
        void run(int task);
    }
}
