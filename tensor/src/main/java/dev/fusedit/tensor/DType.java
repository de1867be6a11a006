package dev.fusedit.tensor;

/**
 * Element types. F32 is the compute type; F64 exists so gradient checks can run in double
 * precision; BF16 and F16 are storage types that kernels widen to F32 on load; I64/I32/U8 hold
 * indices, ids and pixels.
 */
public enum DType {
    F32(4, true), F64(8, true), BF16(2, true), F16(2, true), I64(8, false), I32(4, false), U8(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloating() {
        return floating;
    }

    /** The type results are computed in: F64 stays F64, every other type computes in F32. */
    public DType computeType() {
        return this == F64 ? F64 : F32;
    }
}
