package dev.fusedit.shapes;

/**
 * The random numbers of one generated sample: SplitMix64 (Steele, Lea and Flood) with integer
 * draws defined here, so a (seed, index) pair gives the same scene and caption on every machine
 * and JDK. Each sample's generator is derived from (seed, index) alone, which makes any position
 * of the endless stream reachable without drawing the samples before it.
 */
public final class SampleRandom {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    public SampleRandom(long seed) {
        this.state = seed;
    }

    /** The generator of sample {@code index} of the stream {@code seed}. */
    public static SampleRandom forSample(long seed, long index) {
        return new SampleRandom(mix(mix(seed) + index * GOLDEN));
    }

    public long nextLong() {
        return mix(state += GOLDEN);
    }

    /** Uniform in [0, bound), without modulo bias (rejects the top partial block of 2^63). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
        long r;
        do r = nextLong() >>> 1;
        while (r >= limit);
        return (int) (r % bound);
    }

    /** Uniform in [lo, hi] (both included). */
    public int nextInt(int lo, int hi) {
        return lo + nextInt(hi - lo + 1);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public boolean nextBoolean() {
        return nextLong() < 0;
    }

    public <T> T pick(T[] values) {
        return values[nextInt(values.length)];
    }

    /** SplitMix64's finalizer: nearby inputs give unrelated outputs. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
