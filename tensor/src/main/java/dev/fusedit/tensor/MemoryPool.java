package dev.fusedit.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory that scopes hand back instead of freeing, for loops whose every iteration allocates
 * the same tensors (a training step, a denoising step): a scope opened with
 * {@link MemoryScope#open(MemoryPool)} carves its tensors out of slabs taken from the pool and
 * returns the slabs when it closes, so the next iteration reuses warm, already-mapped memory
 * instead of paying malloc, fresh-page faults and free for every tensor.
 *
 * <p>Close the pool after the last scope that uses it; that frees the slabs.
 */
public final class MemoryPool implements AutoCloseable {
    /** Size of the slabs small tensors are bump-allocated from; bigger tensors get a block of their own. */
    static final long SLAB_BYTES = 4L << 20;

    /** Big blocks are rounded up to a multiple of this, so that a step's repeated sizes find their block again. */
    static final long BLOCK_GRAIN = 64L << 10;

    private final Arena arena = Arena.ofShared();
    // free blocks by exact size: every step asks for the same sizes, so the second step and later
    // find each block they need without searching
    private final Map<Long, ArrayDeque<MemorySegment>> free = new HashMap<>();
    private long heldBytes;
    private boolean closed;

    /** A free block of {@code bytes} (a multiple of {@link #BLOCK_GRAIN}, or {@link #SLAB_BYTES}), or a new one. */
    synchronized MemorySegment take(long bytes) {
        if (closed) throw new IllegalStateException("memory pool is closed");
        ArrayDeque<MemorySegment> blocks = free.get(bytes);
        if (blocks != null && !blocks.isEmpty()) return blocks.pop();
        heldBytes += bytes;
        return arena.allocate(bytes, MemoryScope.ALIGNMENT);
    }

    /** {@code bytes} rounded up to the sizes {@link #take} deals in. */
    static long blockSize(long bytes) {
        return (bytes + BLOCK_GRAIN - 1) / BLOCK_GRAIN * BLOCK_GRAIN;
    }

    synchronized void give(List<MemorySegment> blocks) {
        if (closed) return;
        for (MemorySegment b : blocks) free.computeIfAbsent(b.byteSize(), k -> new ArrayDeque<>()).push(b);
    }

    /** Bytes of all blocks this pool has allocated (free or lent to open scopes). */
    public synchronized long heldBytes() {
        return heldBytes;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        free.clear();
        arena.close();
    }
}
