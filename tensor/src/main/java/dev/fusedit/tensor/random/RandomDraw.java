package dev.fusedit.tensor.random;

import dev.fusedit.tensor.ElementAccess;

import java.lang.foreign.MemorySegment;

/**
 * One request for random numbers: Philox key (key0, key1) and a request number. Element i of the
 * request depends only on (key, request, i), so any range of it can be filled on its own: a
 * request split across threads, or in different chunks, gives the same values.
 *
 * <p>Counter layout: words 0-1 hold the block index (64 bits), words 2-3 the request number,
 * which stays below 2^63 so that {@link Rng#split()} can use the top half of that range.
 * Transcendentals go through {@link StrictMath}, which gives the same bits on every JVM.
 */
public record RandomDraw(int key0, int key1, long request) {
    private static final double TWO_POW_M24 = 0x1p-24;
    private static final double TWO_PI = 2 * Math.PI;

    public RandomDraw {
        if (request < 0) throw new IllegalArgumentException("request number must be in [0, 2^63), got " + request);
    }

    /**
     * Uniform float32 in [lo, hi) into out[from..to) (indices are element numbers of the request):
     * element 4j+t takes the top 24 bits of word t of block j.
     */
    public void fillUniform(MemorySegment out, long from, long to, double lo, double hi) {
        int[] w = new int[4];
        float top = (float) hi;
        for (long block = from >>> 2; block << 2 < to; block++) {
            words(block, w);
            for (int t = 0; t < 4; t++) {
                long i = (block << 2) + t;
                if (i < from || i >= to) continue;
                float v = (float) (lo + (hi - lo) * (w[t] >>> 8) * TWO_POW_M24);
                out.setAtIndex(ElementAccess.F32, i, v >= top ? Math.nextDown(top) : v);
            }
        }
    }

    /**
     * Standard normal float32 into out[from..to): Box–Muller on words (0, 1) of block j gives
     * elements 4j and 4j+1, on words (2, 3) elements 4j+2 and 4j+3.
     */
    public void fillNormal(MemorySegment out, long from, long to) {
        int[] w = new int[4];
        for (long block = from >>> 2; block << 2 < to; block++) {
            words(block, w);
            for (int pair = 0; pair < 2; pair++) {
                // u1 in (0, 1] keeps the logarithm finite; u2 in [0, 1)
                double u1 = ((w[2 * pair] >>> 8) + 1) * TWO_POW_M24;
                double u2 = (w[2 * pair + 1] >>> 8) * TWO_POW_M24;
                double radius = StrictMath.sqrt(-2 * StrictMath.log(u1));
                long i = (block << 2) + 2 * pair;
                if (i >= from && i < to) out.setAtIndex(ElementAccess.F32, i, (float) (radius * StrictMath.cos(TWO_PI * u2)));
                if (i + 1 >= from && i + 1 < to) out.setAtIndex(ElementAccess.F32, i + 1, (float) (radius * StrictMath.sin(TWO_PI * u2)));
            }
        }
    }

    /**
     * Integers in [lo, hi) as I64 into out[from..to): element 2j+t maps the 64-bit word pair t of
     * block j onto the range by a 128-bit multiply (bias below (hi − lo) / 2^64).
     */
    public void fillRandint(MemorySegment out, long from, long to, long lo, long hi) {
        long span = hi - lo;
        if (hi <= lo || span <= 0) throw new IllegalArgumentException("randint needs lo < hi (range below 2^63), got [" + lo + ", " + hi + ")");
        int[] w = new int[4];
        for (long block = from >>> 1; block << 1 < to; block++) {
            words(block, w);
            for (int t = 0; t < 2; t++) {
                long i = (block << 1) + t;
                if (i < from || i >= to) continue;
                long bits = ((long) w[2 * t + 1] << 32) | (w[2 * t] & 0xFFFFFFFFL);
                out.setAtIndex(ElementAccess.I64, i, lo + Math.unsignedMultiplyHigh(bits, span));
            }
        }
    }

    private void words(long block, int[] w) {
        Philox.block((int) block, (int) (block >>> 32), (int) request, (int) (request >>> 32), key0, key1, w, 0);
    }
}
