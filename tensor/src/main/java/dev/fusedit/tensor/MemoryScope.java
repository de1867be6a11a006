package dev.fusedit.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Owns the off-heap memory of the tensors created while it is open, and frees all of it
 * deterministically on {@link #close()}. Scopes nest per thread: a training step or a sampling
 * call opens one, and everything temporary it made is gone when it closes.
 *
 * <p>Tensors created while no scope is open (model parameters loaded at start-up, tensors in
 * small programs and tests) are allocated in an automatic arena that lives as long as the
 * tensors reference it. Long-lived owners such as a model should open their own scope with
 * {@link #openDetached()} and close it when they are done.
 */
public final class MemoryScope implements AutoCloseable {
    /** Alignment of every allocation: one cache line, the widest vector load. */
    public static final long ALIGNMENT = 64;

    private static final ThreadLocal<MemoryScope> CURRENT = new ThreadLocal<>();

    private final Arena arena = Arena.ofShared();
    private final MemoryScope parent;
    private final boolean attached;
    private boolean closed;

    // with a pool: tensors are slices of blocks taken from it (bump-allocated in the current slab),
    // re-scoped to this scope's arena so that using them after close() still fails
    private final MemoryPool pool;
    private final List<MemorySegment> taken = new ArrayList<>();
    private MemorySegment slab;
    private long slabUsed;

    private MemoryScope(MemoryScope parent, boolean attached, MemoryPool pool) {
        this.parent = parent;
        this.attached = attached;
        this.pool = pool;
    }

    /**
     * Opens a scope that becomes the allocation target of this thread until closed. Inside a
     * scope that draws from a {@link MemoryPool}, the new scope draws from the same pool.
     */
    public static MemoryScope open() {
        MemoryScope parent = CURRENT.get();
        return open(parent, parent == null ? null : parent.pool);
    }

    /** Like {@link #open()}, with the tensors' memory taken from {@code pool} and handed back to it on close. */
    public static MemoryScope open(MemoryPool pool) {
        if (pool == null) throw new IllegalArgumentException("pool must not be null (use open())");
        return open(CURRENT.get(), pool);
    }

    private static MemoryScope open(MemoryScope parent, MemoryPool pool) {
        MemoryScope scope = new MemoryScope(parent, true, pool);
        CURRENT.set(scope);
        return scope;
    }

    /** A scope that is not made current: allocate into it explicitly with {@link #allocate(long)}. */
    public static MemoryScope openDetached() {
        return new MemoryScope(null, false, null);
    }

    /** Runs {@code body} with this (detached) scope as the thread's allocation target. */
    public <T> T within(java.util.function.Supplier<T> body) {
        MemoryScope previous = CURRENT.get();
        CURRENT.set(this);
        try {
            return body.get();
        } finally {
            CURRENT.set(previous);
        }
    }

    /** Zero-filled, 64-byte aligned memory owned by this scope. */
    public MemorySegment allocate(long bytes) {
        return allocate(bytes, true);
    }

    /**
     * 64-byte aligned memory owned by this scope; with {@code zero} false its contents are
     * undefined (for outputs that the caller overwrites completely).
     */
    public synchronized MemorySegment allocate(long bytes, boolean zero) {
        if (closed) throw new IllegalStateException("memory scope is closed");
        if (pool == null) return arena.allocate(Math.max(bytes, 1), ALIGNMENT);
        long size = (Math.max(bytes, 1) + ALIGNMENT - 1) & -ALIGNMENT;
        MemorySegment block;
        if (size > MemoryPool.SLAB_BYTES / 4) {
            block = pool.take(MemoryPool.blockSize(size));
            taken.add(block);
        } else {
            if (slab == null || slabUsed + size > slab.byteSize()) {
                slab = pool.take(MemoryPool.SLAB_BYTES);
                taken.add(slab);
                slabUsed = 0;
            }
            block = slab.asSlice(slabUsed, size);
            slabUsed += size;
        }
        MemorySegment out = block.asSlice(0, Math.max(bytes, 1)).reinterpret(arena, null);
        if (zero) out.fill((byte) 0);
        return out;
    }

    public Arena arena() {
        return arena;
    }

    /**
     * Computes {@code body}'s tensors in a scope of their own and keeps only copies of them (made in
     * the current scope): every temporary made on the way is freed at once. This is how inference
     * keeps one layer's activations alive instead of the whole forward pass's. Only without
     * gradient recording: a recorded graph would point into the freed memory, so with gradients on
     * {@code body} just runs in the current scope.
     */
    public static Tensor[] retain(java.util.function.Supplier<Tensor[]> body) {
        if (dev.fusedit.tensor.autograd.GradMode.isEnabled()) return body.get();
        MemoryScope outer = CURRENT.get();
        try (MemoryScope inner = open()) {
            Tensor[] results = body.get();
            CURRENT.set(outer);
            try {
                Tensor[] kept = new Tensor[results.length];
                for (int i = 0; i < results.length; i++) kept[i] = results[i] == null ? null : results[i].copy();
                return kept;
            } finally {
                CURRENT.set(inner);
            }
        }
    }

    /** {@link #retain(java.util.function.Supplier)} for one tensor. */
    public static Tensor retainOne(java.util.function.Supplier<Tensor> body) {
        return retain(() -> new Tensor[] {body.get()})[0];
    }

    /** 64-byte aligned memory in the thread's current scope (or an automatic arena), zero-filled when asked. */
    static MemorySegment allocateCurrent(long bytes, boolean zero) {
        MemoryScope scope = CURRENT.get();
        if (scope != null) return scope.allocate(bytes, zero);
        return Arena.ofAuto().allocate(Math.max(bytes, 1), ALIGNMENT);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (attached) {
            if (CURRENT.get() != this) throw new IllegalStateException("memory scopes must close in reverse order of opening");
            CURRENT.set(parent);
        }
        arena.close();
        if (pool != null) {
            pool.give(taken);
            taken.clear();
            slab = null;
        }
    }
}
