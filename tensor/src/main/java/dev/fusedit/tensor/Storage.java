package dev.fusedit.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The memory behind one or more tensor views: an off-heap segment (allocated, or a view of a
 * memory-mapped file) and the scope that owns it, so that memory with the same lifetime
 * (a parameter's gradient) can be allocated next to it.
 */
public record Storage(MemorySegment segment, MemoryScope owner) {

    /** Zero-filled storage for {@code elements} values of {@code dtype} in the current scope. */
    static Storage allocate(DType dtype, long elements) {
        return new Storage(MemoryScope.allocateCurrent(elements * dtype.byteSize(), true), null);
    }

    /** Storage with undefined contents (the caller overwrites every element) in the current scope. */
    static Storage allocateUninitialized(DType dtype, long elements) {
        return new Storage(MemoryScope.allocateCurrent(elements * dtype.byteSize(), false), null);
    }

    /** Zero-filled storage with the same lifetime as this one. */
    Storage sibling(DType dtype, long elements) {
        long bytes = elements * dtype.byteSize();
        if (owner != null) return new Storage(owner.allocate(bytes), owner);
        return new Storage(MemoryScope.allocateCurrent(bytes, true), null);
    }
}
