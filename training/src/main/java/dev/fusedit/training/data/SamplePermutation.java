package dev.fusedit.training.data;

import dev.fusedit.shapes.SampleRandom;

/**
 * A seeded shuffle of 0..n−1 that maps any position to its sample in O(1) time and memory: a
 * 4-round Feistel network on the smallest even number of bits covering n, walked until it lands
 * inside 0..n−1 (a bijection on a power-of-two range restricted by cycle-walking is a bijection
 * on the range; fewer than 4 steps on average). No table of n entries is built per epoch, and
 * position p's sample never depends on which positions were asked for before.
 */
public final class SamplePermutation {
    private static final int ROUNDS = 4;
    private final int n;
    private final int halfBits;
    private final long halfMask;
    private final long[] keys = new long[ROUNDS];

    public SamplePermutation(int n, long seed) {
        if (n < 1) throw new IllegalArgumentException("a permutation needs at least one element, got " + n);
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(n - 1L));
        if (bits % 2 == 1) bits++;
        halfBits = bits / 2;
        halfMask = (1L << halfBits) - 1;
        this.n = n;
        SampleRandom r = new SampleRandom(seed);
        for (int i = 0; i < ROUNDS; i++) keys[i] = r.nextLong();
    }

    /** The element at position {@code i} (0 ≤ i < n) of the shuffled order. */
    public int apply(int i) {
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException("position " + i + " outside 0.." + (n - 1));
        long x = i;
        do x = encrypt(x);
        while (x >= n);
        return (int) x;
    }

    private long encrypt(long x) {
        long left = x >>> halfBits, right = x & halfMask;
        for (long key : keys) {
            long next = left ^ (round(right, key) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }

    private static long round(long half, long key) {
        return SampleRandom.mix(half * 0x9E3779B97F4A7C15L + key);
    }
}
