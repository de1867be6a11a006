package dev.fusedit.model.gemma;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;

/**
 * Keys and values of every layer for the tokens seen so far, [batch, capacity, kvHeads, headDim]
 * each, so that decoding one more token costs one token's projections instead of the whole prefix.
 */
public final class KvCache implements AutoCloseable {
    private final MemoryScope memory = MemoryScope.openDetached();
    private final Tensor[] keys, values;
    private final int capacity;
    private int length;

    public KvCache(GemmaConfig c, int batch, int capacity) {
        this.capacity = capacity;
        keys = new Tensor[c.numHiddenLayers()];
        values = new Tensor[c.numHiddenLayers()];
        for (int l = 0; l < keys.length; l++) {
            keys[l] = memory.within(() -> Tensor.zeros(DType.F32, batch, capacity, c.numKeyValueHeads(), c.headDim()));
            values[l] = memory.within(() -> Tensor.zeros(DType.F32, batch, capacity, c.numKeyValueHeads(), c.headDim()));
        }
    }

    public int length() { return length; }
    public int capacity() { return capacity; }

    /** Stores k, v [B, T, kvHeads, headDim] of layer l at positions length .. length+T-1. */
    void store(int layer, Tensor k, Tensor v) {
        int t = k.size(1);
        if (length + t > capacity) throw new IllegalStateException("KV cache of " + capacity + " tokens is full");
        keys[layer].narrow(1, length, t).copyFrom(k);
        values[layer].narrow(1, length, t).copyFrom(v);
    }

    /** Keys of layer l for positions 0 .. upTo-1. */
    Tensor keys(int layer, int upTo) { return keys[layer].narrow(1, 0, upTo); }
    Tensor values(int layer, int upTo) { return values[layer].narrow(1, 0, upTo); }

    /** Called once all layers stored a step of T tokens. */
    void advance(int t) { length += t; }

    @Override
    public void close() {
        memory.close();
    }
}
