package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.ElementAccess;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.VectorMath;
import dev.fusedit.tensor.kernels.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Vector API loops over contiguous float32 runs: the fast paths of the {@link Pointwise} engines.
 * Positions are element indices into the segments (not bytes). Each loop ends in a scalar tail
 * that computes through the op's double-precision form, so "scalar" width runs only that tail.
 *
 * <p>Every op has its own loop with the lanewise operation written out: C2 compiles a Vector API
 * call to vector instructions only when the operation is a compile-time constant, so a loop that
 * took the operator as a parameter would fall back to boxed, per-lane Java code.
 */
final class F32Loops {
    private F32Loops() {}

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final VectorSpecies<Float> F = VectorWidth.F;
    private static final int LANES = VectorWidth.LANES;

    /** Two-operand arithmetic with vector loops; also a plain DoubleBinaryOperator for the other engine paths. */
    enum Arith implements DoubleBinaryOperator {
        ADD { public double applyAsDouble(double x, double y) { return x + y; } },
        SUB { public double applyAsDouble(double x, double y) { return x - y; } },
        MUL { public double applyAsDouble(double x, double y) { return x * y; } },
        DIV { public double applyAsDouble(double x, double y) { return x / y; } }
    }

    /** One-operand functions with vector loops; also a plain DoubleUnaryOperator for the other engine paths. */
    enum Fn implements DoubleUnaryOperator {
        NEG { public double applyAsDouble(double x) { return -x; } },
        ABS { public double applyAsDouble(double x) { return Math.abs(x); } },
        SQRT { public double applyAsDouble(double x) { return Math.sqrt(x); } },
        RSQRT { public double applyAsDouble(double x) { return 1 / Math.sqrt(x); } },
        EXP { public double applyAsDouble(double x) { return Math.exp(x); } },
        LOG { public double applyAsDouble(double x) { return Math.log(x); } },
        TANH { public double applyAsDouble(double x) { return Math.tanh(x); } },
        /** 1/(1+e^-x): in float, e^-x overflows to +inf for very negative x and the result is a clean 0. */
        SIGMOID { public double applyAsDouble(double x) { return sigmoid(x); } },
        SILU { public double applyAsDouble(double x) { return x * sigmoid(x); } };

        /** Written so that neither branch overflows exp for large |x| in double. */
        static double sigmoid(double x) {
            if (x >= 0) return 1 / (1 + Math.exp(-x));
            double e = Math.exp(x);
            return e / (1 + e);
        }
    }

    /** Below this many elements a loop runs on the calling thread: a fork/join round costs about as much as the work. */
    private static final long PARALLEL_MIN = 1 << 17;

    /** A part [from, to) of one elementwise loop. */
    @FunctionalInterface
    private interface Part {
        void run(long from, long to);
    }

    /**
     * Runs {@code part} over [0, n) split across the active provider's CPU pool when n is large (these
     * loops are memory-bound, and two threads move about twice the bytes of one); elementwise
     * results do not depend on the split.
     */
    private static void split(long n, Part part) {
        KernelPool pool = n >= PARALLEL_MIN ? KernelProvider.current().cpuPool() : null;
        if (pool == null || pool.threads() < 2) {
            part.run(0, n);
            return;
        }
        int tasks = pool.threads();
        long per = (n / tasks + LANES - 1) / LANES * LANES;
        pool.forEach(tasks, t -> part.run(Math.min(n, t * per), t == tasks - 1 ? n : Math.min(n, (t + 1) * per)));
    }

    private static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(F, s, i * 4, ORDER);
    }

    /** out[i] = op(a[i], b[i]) for i < n. */
    static void binary(Arith op, MemorySegment a, long ai, MemorySegment b, long bi, MemorySegment out, long oi, long n) {
        if (n < PARALLEL_MIN) binaryPart(op, a, ai, b, bi, out, oi, n);
        else split(n, (from, to) -> binaryPart(op, a, ai + from, b, bi + from, out, oi + from, to - from));
    }

    private static void binaryPart(Arith op, MemorySegment a, long ai, MemorySegment b, long bi, MemorySegment out, long oi, long n) {
        long i = 0, bound = VectorWidth.loopBound(n);
        switch (op) {
            case ADD -> { for (; i < bound; i += LANES) load(a, ai + i).add(load(b, bi + i)).intoMemorySegment(out, (oi + i) * 4, ORDER); }
            case SUB -> { for (; i < bound; i += LANES) load(a, ai + i).sub(load(b, bi + i)).intoMemorySegment(out, (oi + i) * 4, ORDER); }
            case MUL -> { for (; i < bound; i += LANES) load(a, ai + i).mul(load(b, bi + i)).intoMemorySegment(out, (oi + i) * 4, ORDER); }
            case DIV -> { for (; i < bound; i += LANES) load(a, ai + i).div(load(b, bi + i)).intoMemorySegment(out, (oi + i) * 4, ORDER); }
        }
        for (; i < n; i++)
            out.setAtIndex(ElementAccess.F32, oi + i, (float) op.applyAsDouble(a.getAtIndex(ElementAccess.F32, ai + i), b.getAtIndex(ElementAccess.F32, bi + i)));
    }

    /** out[i] = op(a[i], c), or op(c, a[i]) when {@code constantFirst}, for i < n. */
    static void withConstant(Arith op, MemorySegment a, long ai, float c, boolean constantFirst, MemorySegment out, long oi, long n) {
        if (n < PARALLEL_MIN) withConstantPart(op, a, ai, c, constantFirst, out, oi, n);
        else split(n, (from, to) -> withConstantPart(op, a, ai + from, c, constantFirst, out, oi + from, to - from));
    }

    private static void withConstantPart(Arith op, MemorySegment a, long ai, float c, boolean constantFirst, MemorySegment out, long oi, long n) {
        FloatVector cv = FloatVector.broadcast(F, c);
        long i = 0, bound = VectorWidth.loopBound(n);
        switch (op) {
            case ADD -> { for (; i < bound; i += LANES) load(a, ai + i).add(cv).intoMemorySegment(out, (oi + i) * 4, ORDER); }
            case MUL -> { for (; i < bound; i += LANES) load(a, ai + i).mul(cv).intoMemorySegment(out, (oi + i) * 4, ORDER); }
            case SUB -> {
                if (constantFirst) for (; i < bound; i += LANES) cv.sub(load(a, ai + i)).intoMemorySegment(out, (oi + i) * 4, ORDER);
                else for (; i < bound; i += LANES) load(a, ai + i).sub(cv).intoMemorySegment(out, (oi + i) * 4, ORDER);
            }
            case DIV -> {
                if (constantFirst) for (; i < bound; i += LANES) cv.div(load(a, ai + i)).intoMemorySegment(out, (oi + i) * 4, ORDER);
                else for (; i < bound; i += LANES) load(a, ai + i).div(cv).intoMemorySegment(out, (oi + i) * 4, ORDER);
            }
        }
        for (; i < n; i++) {
            double x = a.getAtIndex(ElementAccess.F32, ai + i);
            out.setAtIndex(ElementAccess.F32, oi + i, (float) (constantFirst ? op.applyAsDouble(c, x) : op.applyAsDouble(x, c)));
        }
    }

    /**
     * A full operand against a row repeated over it: out[r*len + j] = op(full[r*len + j], row[j]),
     * or op(row[j], full[...]) when {@code rowFirst}, for r < rows.
     */
    static void withRow(Arith op, MemorySegment full, long fi, MemorySegment row, long ri, boolean rowFirst, MemorySegment out, long rows, long len) {
        for (long r = 0; r < rows; r++) {
            long base = r * len;
            if (rowFirst) binary(op, row, ri, full, fi + base, out, base, len);
            else binary(op, full, fi + base, row, ri, out, base, len);
        }
    }

    /**
     * A full operand against a column (one value per row): out[r*len + j] = op(full[r*len + j], col[r]),
     * or op(col[r], full[...]) when {@code columnFirst}, for r < rows.
     */
    static void withColumn(Arith op, MemorySegment full, long fi, MemorySegment col, long ci, boolean columnFirst, MemorySegment out, long rows, long len) {
        for (long r = 0; r < rows; r++)
            withConstant(op, full, fi + r * len, col.getAtIndex(ElementAccess.F32, ci + r), columnFirst, out, r * len, len);
    }

    /** out[i] = fn(a[i]) for i < n. */
    static void unary(Fn fn, MemorySegment a, long ai, MemorySegment out, long oi, long n) {
        if (n < PARALLEL_MIN) unaryPart(fn, a, ai, out, oi, n);
        else split(n, (from, to) -> unaryPart(fn, a, ai + from, out, oi + from, to - from));
    }

    private static void unaryPart(Fn fn, MemorySegment a, long ai, MemorySegment out, long oi, long n) {
        long i = 0, bound = VectorWidth.loopBound(n);
        FloatVector one = FloatVector.broadcast(F, 1f);
        switch (fn) {
            case NEG -> { for (; i < bound; i += LANES) load(a, ai + i).neg().intoMemorySegment(out, (oi + i) * 4, ORDER); }
            case ABS -> { for (; i < bound; i += LANES) load(a, ai + i).abs().intoMemorySegment(out, (oi + i) * 4, ORDER); }
            case SQRT -> { for (; i < bound; i += LANES) load(a, ai + i).sqrt().intoMemorySegment(out, (oi + i) * 4, ORDER); }
            case RSQRT -> { for (; i < bound; i += LANES) one.div(load(a, ai + i).sqrt()).intoMemorySegment(out, (oi + i) * 4, ORDER); }
            // VectorMath, not the Vector API's EXP/TANH: those give other last bits once C2 compiles the
            // loop, and a result must not depend on how warm the JIT is (exact resume, same image per seed)
            case EXP -> { for (; i < bound; i += LANES) VectorMath.exp(load(a, ai + i)).intoMemorySegment(out, (oi + i) * 4, ORDER); }
            case TANH -> { for (; i < bound; i += LANES) VectorMath.tanh(load(a, ai + i)).intoMemorySegment(out, (oi + i) * 4, ORDER); }
            case SIGMOID -> {
                for (; i < bound; i += LANES)
                    one.div(one.add(VectorMath.exp(load(a, ai + i).neg()))).intoMemorySegment(out, (oi + i) * 4, ORDER);
            }
            case SILU -> {
                for (; i < bound; i += LANES) {
                    FloatVector x = load(a, ai + i);
                    x.div(one.add(VectorMath.exp(x.neg()))).intoMemorySegment(out, (oi + i) * 4, ORDER);
                }
            }
            case LOG -> { } // rare and off the hot paths: the scalar loop below (Math.log gives the same bits in every tier)
        }
        for (; i < n; i++) out.setAtIndex(ElementAccess.F32, oi + i, (float) fn.applyAsDouble(a.getAtIndex(ElementAccess.F32, ai + i)));
    }
}
