package dev.fusedit.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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

    private MemoryScope(MemoryScope parent, boolean attached) {
        this.parent = parent;
        this.attached = attached;
    }

    /** Opens a scope that becomes the allocation target of this thread until closed. */
    public static MemoryScope open() {
        MemoryScope scope = new MemoryScope(CURRENT.get(), true);
        CURRENT.set(scope);
        return scope;
    }

    /** A scope that is not made current: allocate into it explicitly with {@link #allocate(long)}. */
    public static MemoryScope openDetached() {
        return new MemoryScope(null, false);
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
        if (closed) throw new IllegalStateException("memory scope is closed");
        return arena.allocate(Math.max(bytes, 1), ALIGNMENT);
    }

    public Arena arena() {
        return arena;
    }

    /** Zero-filled, 64-byte aligned memory in the thread's current scope (or an automatic arena). */
    static MemorySegment allocateCurrent(long bytes) {
        MemoryScope scope = CURRENT.get();
        if (scope != null) return scope.allocate(bytes);
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
    }
}
