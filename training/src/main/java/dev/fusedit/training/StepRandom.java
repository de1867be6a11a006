package dev.fusedit.training;

import dev.fusedit.tensor.random.Rng;

/**
 * The random numbers of training batch k (noise, σ draws) come from a generator keyed by
 * (seed, k) alone, so no generator state has to be saved for an exact resume.
 */
final class StepRandom {
    private StepRandom() {}

    static Rng forBatch(long seed, long batchIndex) {
        return new Rng(mix(seed * 0x9E3779B97F4A7C15L + batchIndex + 1));
    }

    /** SplitMix64's finalizer: nearby inputs give unrelated keys. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
