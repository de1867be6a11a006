package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.Elements;
import dev.fusedit.tensor.kernels.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Vector API loops over contiguous float32 runs: the fast paths of the {@link Pointwise} engines.
 * Positions are element indices into the segments (not bytes). Each loop ends in a scalar tail
 * that computes through the op's double-precision form, so "scalar" width runs only that tail.
 */
final class F32Loops {
    private F32Loops() {}

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int LANES = VectorWidth.LANES;

    /** out[i] = op(a[i], b[i]) for i < n. */
    static void binary(VectorOperators.Binary op, DoubleBinaryOperator scalar, MemorySegment a, long ai, MemorySegment b, long bi,
                       MemorySegment out, long oi, long n) {
        long i = 0, bound = VectorWidth.loopBound(n);
        for (; i < bound; i += LANES) {
            FloatVector x = FloatVector.fromMemorySegment(VectorWidth.F, a, (ai + i) * 4, ORDER);
            FloatVector y = FloatVector.fromMemorySegment(VectorWidth.F, b, (bi + i) * 4, ORDER);
            x.lanewise(op, y).intoMemorySegment(out, (oi + i) * 4, ORDER);
        }
        for (; i < n; i++)
            out.setAtIndex(Elements.F32, oi + i, (float) scalar.applyAsDouble(a.getAtIndex(Elements.F32, ai + i), b.getAtIndex(Elements.F32, bi + i)));
    }

    /** out[i] = op(a[i], c), or op(c, a[i]) when {@code constantFirst}, for i < n. */
    static void withConstant(VectorOperators.Binary op, DoubleBinaryOperator scalar, MemorySegment a, long ai, float c, boolean constantFirst,
                             MemorySegment out, long oi, long n) {
        FloatVector cv = FloatVector.broadcast(VectorWidth.F, c);
        long i = 0, bound = VectorWidth.loopBound(n);
        for (; i < bound; i += LANES) {
            FloatVector x = FloatVector.fromMemorySegment(VectorWidth.F, a, (ai + i) * 4, ORDER);
            (constantFirst ? cv.lanewise(op, x) : x.lanewise(op, cv)).intoMemorySegment(out, (oi + i) * 4, ORDER);
        }
        for (; i < n; i++) {
            double x = a.getAtIndex(Elements.F32, ai + i);
            out.setAtIndex(Elements.F32, oi + i, (float) (constantFirst ? scalar.applyAsDouble(c, x) : scalar.applyAsDouble(x, c)));
        }
    }

    /**
     * A full operand against a row repeated over it: out[r*len + j] = op(full[r*len + j], row[j]),
     * or op(row[j], full[...]) when {@code rowFirst}, for r < rows.
     */
    static void withRow(VectorOperators.Binary op, DoubleBinaryOperator scalar, MemorySegment full, long fi, MemorySegment row, long ri,
                        boolean rowFirst, MemorySegment out, long rows, long len) {
        for (long r = 0; r < rows; r++) {
            long base = r * len;
            if (rowFirst) binary(op, scalar, row, ri, full, fi + base, out, base, len);
            else binary(op, scalar, full, fi + base, row, ri, out, base, len);
        }
    }

    /**
     * A full operand against a column (one value per row): out[r*len + j] = op(full[r*len + j], col[r]),
     * or op(col[r], full[...]) when {@code columnFirst}, for r < rows.
     */
    static void withColumn(VectorOperators.Binary op, DoubleBinaryOperator scalar, MemorySegment full, long fi, MemorySegment col, long ci,
                           boolean columnFirst, MemorySegment out, long rows, long len) {
        for (long r = 0; r < rows; r++)
            withConstant(op, scalar, full, fi + r * len, col.getAtIndex(Elements.F32, ci + r), columnFirst, out, r * len, len);
    }

    /** out[i] = op(a[i]) for i < n. */
    static void unary(VectorOperators.Unary op, DoubleUnaryOperator scalar, MemorySegment a, long ai, MemorySegment out, long oi, long n) {
        long i = 0, bound = VectorWidth.loopBound(n);
        for (; i < bound; i += LANES)
            FloatVector.fromMemorySegment(VectorWidth.F, a, (ai + i) * 4, ORDER).lanewise(op).intoMemorySegment(out, (oi + i) * 4, ORDER);
        for (; i < n; i++) out.setAtIndex(Elements.F32, oi + i, (float) scalar.applyAsDouble(a.getAtIndex(Elements.F32, ai + i)));
    }
}
