package dev.fusedit.model.tokenizer;

/**
 * The BPE merges as an open-addressing hash map from a pair of token ids to (rank, merged id),
 * packed in longs: 580k Gemma merges fit in a few MB with no boxing.
 */
final class MergeTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    MergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /** Adds a merge unless the pair already has one (the first, lowest rank, wins). */
    void put(int left, int right, int rank, int merged) {
        long k = key(left, right);
        int s = slot(k);
        while (keys[s] != EMPTY) {
            if (keys[s] == k) return;
            s = (s + 1) & mask;
        }
        if (++size > keys.length * 3 / 4) throw new IllegalStateException("merge table over capacity");
        keys[s] = k;
        values[s] = ((long) rank << 32) | (merged & 0xffffffffL);
    }

    /** (rank << 32 | merged id) of the pair, or -1 when the pair does not merge. */
    long get(int left, int right) {
        long k = key(left, right);
        int s = slot(k);
        while (keys[s] != EMPTY) {
            if (keys[s] == k) return values[s];
            s = (s + 1) & mask;
        }
        return -1;
    }
}
