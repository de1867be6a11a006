package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.ElementAccess;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.ScalarKernels;

import java.lang.foreign.MemorySegment;

/**
 * How the ops reach the kernels: F32 work goes to the active provider, F64 work (gradient checks)
 * to the double-precision oracle. Kernels want contiguous segments of the compute type that start
 * at the first element, so operands are detached, converted and made contiguous here first.
 */
final class KernelDispatch {
    private KernelDispatch() {}

    /** The kernels that compute in {@code type} (F32 or F64). */
    static Kernels kernels(DType type) {
        return switch (type) {
            case F32 -> KernelProvider.current();
            case F64 -> ScalarKernels.F64;
            default -> throw new IllegalArgumentException("kernels compute in F32 or F64, not " + type);
        };
    }

    /** F64 when any floating operand is F64, else F32 (BF16/F16 storage computes in F32). */
    static DType computeType(Tensor... operands) {
        for (Tensor t : operands) if (t != null && t.dtype() == DType.F64) return DType.F64;
        return DType.F32;
    }

    /** {@code t} as a contiguous, unrecorded tensor of {@code type} (the same tensor when it already is one). */
    static Tensor prepared(Tensor t, DType type) {
        if (t == null) return null;
        Tensor d = t.detach();
        if (d.dtype() != type) return d.to(type);
        return d.isContiguous() ? d : d.contiguous();
    }

    /** The data segment of {@code t} prepared as above, or null for a null tensor. */
    static MemorySegment data(Tensor t, DType type) {
        return t == null ? null : prepared(t, type).data();
    }

    /** Requires a floating operand; ids and pixels must be converted explicitly. */
    static void requireFloating(Tensor t, String what) {
        if (t != null && !t.dtype().isFloating())
            throw new IllegalArgumentException(what + " must be a floating-point tensor, got " + t.dtype());
    }

    /** Element i of a contiguous segment of the compute type (F32 or F64). */
    static double get(MemorySegment s, boolean f64, long i) {
        return f64 ? s.getAtIndex(ElementAccess.F64, i) : s.getAtIndex(ElementAccess.F32, i);
    }

    static void set(MemorySegment s, boolean f64, long i, double v) {
        if (f64) s.setAtIndex(ElementAccess.F64, i, v);
        else s.setAtIndex(ElementAccess.F32, i, (float) v);
    }
}
