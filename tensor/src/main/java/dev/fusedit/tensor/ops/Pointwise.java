package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.ElementAccess;
import dev.fusedit.tensor.StridedWalk;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.Autograd;
import dev.fusedit.tensor.ops.F32Loops.Arith;
import dev.fusedit.tensor.ops.F32Loops.Fn;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise ops with NumPy broadcasting, each with its backward. Results are F64 when an
 * operand is F64, else F32 (integer and half inputs compute in F32). Comparisons return U8
 * tensors of 0 and 1 (PyTorch's bool); {@link #where} and {@link #maskedFill} read any dtype
 * as a condition, nonzero meaning true.
 *
 * <p>Speed: on F32, the arithmetic (add, sub, mul, div, also with a constant) and neg, abs,
 * sqrt, rsqrt, exp, log, tanh, sigmoid and silu run {@link F32Loops} vector loops when the
 * operands are contiguous, one is a single value, a trailing row or a leading column, or each
 * row of the broadcast operands is contiguous or constant. Other functions on contiguous
 * same-shape F32 or F64 operands get a direct scalar loop; everything else (other dtypes,
 * rows with a stride) goes element by element through {@link StridedWalk}.
 * Nothing here records a graph except the named ops; {@code map} and the {@code InPlace}
 * helpers never do.
 */
public final class Pointwise {
    private Pointwise() {}

    // ---------------------------------------------------------------- the two engines

    /** out[i] = f(a[i], b[i]) after broadcasting a and b to a common shape (not recorded). */
    public static Tensor map(Tensor a, Tensor b, DoubleBinaryOperator f) {
        int[] shape = broadcastShape(a.shape(), b.shape());
        Tensor out = Tensor.empty(resultType(a, b), shape);
        if (!contiguousPath(out, a, b, f) && !rowPath(out, a, b, f)) mapInto(out, a, b, f);
        return out;
    }

    /** out[i] = f(a[i]) (not recorded). */
    public static Tensor map(Tensor a, DoubleUnaryOperator f) {
        Tensor out = Tensor.empty(a.dtype().computeType(), a.shape());
        MemorySegment o = out.segment();
        if (a.isContiguous() && a.dtype() == DType.F32) {
            MemorySegment sa = a.segment();
            long oa = a.offset(), n = out.numel();
            if (f instanceof Fn fn) F32Loops.unary(fn, sa, oa, o, 0, n);
            else for (long i = 0; i < n; i++) o.setAtIndex(ElementAccess.F32, i, (float) f.applyAsDouble(sa.getAtIndex(ElementAccess.F32, oa + i)));
            return out;
        }
        if (a.isContiguous() && a.dtype() == DType.F64) {
            MemorySegment sa = a.segment();
            long oa = a.offset(), n = out.numel();
            for (long i = 0; i < n; i++) o.setAtIndex(ElementAccess.F64, i, f.applyAsDouble(sa.getAtIndex(ElementAccess.F64, oa + i)));
            return out;
        }
        if (a.dtype() == DType.F32 && f instanceof Fn fn && a.dim() > 0 && a.stride(-1) == 1) {
            // strided rows that are each contiguous (a narrow or a permute of leading dimensions)
            long[] starts = rowStarts(a);
            long len = a.size(-1);
            for (int r = 0; r < starts.length; r++) F32Loops.unary(fn, a.segment(), starts[r], o, r * len, len);
            return out;
        }
        DType ta = a.dtype(), to = out.dtype();
        MemorySegment sa = a.segment();
        StridedWalk.forEach2(out, a, (i, at, x) -> ElementAccess.write(o, to, at, f.applyAsDouble(ElementAccess.read(sa, ta, x))));
        return out;
    }

    /** The generic path: any dtypes, strides and broadcasting; {@code out} already has the broadcast shape. */
    private static void mapInto(Tensor out, Tensor a, Tensor b, DoubleBinaryOperator f) {
        int[] shape = out.shape();
        Tensor ea = a.detach().expand(shape), eb = b.detach().expand(shape);
        DType ta = a.dtype(), tb = b.dtype(), to = out.dtype();
        MemorySegment o = out.segment(), sa = ea.segment(), sb = eb.segment();
        StridedWalk.forEach3(out, ea, eb, (i, at, x, y) ->
                ElementAccess.write(o, to, at, f.applyAsDouble(ElementAccess.read(sa, ta, x), ElementAccess.read(sb, tb, y))));
    }

    /**
     * Direct loops for contiguous operands: same shape (F32 or F64), and for the F32 arithmetic
     * also one operand a single value, a row repeated over the other's leading dimensions
     * (a bias), or a column repeated over its trailing dimensions (a per-row scale).
     * Returns false when none applies.
     */
    private static boolean contiguousPath(Tensor out, Tensor a, Tensor b, DoubleBinaryOperator f) {
        if (!a.isContiguous() || !b.isContiguous()) return false;
        int[] shape = out.shape();
        boolean aFull = Arrays.equals(a.shape(), shape), bFull = Arrays.equals(b.shape(), shape);
        MemorySegment o = out.segment(), sa = a.segment(), sb = b.segment();
        long oa = a.offset(), ob = b.offset(), n = out.numel();
        if (out.dtype() == DType.F64 && a.dtype() == DType.F64 && b.dtype() == DType.F64 && aFull && bFull) {
            for (long i = 0; i < n; i++)
                o.setAtIndex(ElementAccess.F64, i, f.applyAsDouble(sa.getAtIndex(ElementAccess.F64, oa + i), sb.getAtIndex(ElementAccess.F64, ob + i)));
            return true;
        }
        if (out.dtype() != DType.F32 || a.dtype() != DType.F32 || b.dtype() != DType.F32) return false;
        if (aFull && bFull) {
            if (f instanceof Arith op) F32Loops.binary(op, sa, oa, sb, ob, o, 0, n);
            else for (long i = 0; i < n; i++)
                o.setAtIndex(ElementAccess.F32, i, (float) f.applyAsDouble(sa.getAtIndex(ElementAccess.F32, oa + i), sb.getAtIndex(ElementAccess.F32, ob + i)));
            return true;
        }
        if (!(f instanceof Arith op) || (!aFull && !bFull) || n == 0) return false;
        Tensor full = aFull ? a : b, part = aFull ? b : a;
        MemorySegment sf = full.segment(), sp = part.segment();
        long of = full.offset(), op2 = part.offset(), len = part.numel();
        boolean partFirst = !aFull;
        if (len == 1) {
            F32Loops.withConstant(op, sf, of, sp.getAtIndex(ElementAccess.F32, op2), partFirst, o, 0, n);
            return true;
        }
        int[] ps = part.shape();
        if (isTrailingRow(ps, shape)) {
            F32Loops.withRow(op, sf, of, sp, op2, partFirst, o, n / len, len);
            return true;
        }
        if (isLeadingColumn(ps, shape)) {
            F32Loops.withColumn(op, sf, of, sp, op2, partFirst, o, len, n / len);
            return true;
        }
        return false;
    }

    /**
     * F32 arithmetic on strided operands whose last dimension is contiguous or broadcast
     * (stride 1 or 0): one vector loop per output row. Returns false when it does not apply.
     */
    private static boolean rowPath(Tensor out, Tensor a, Tensor b, DoubleBinaryOperator f) {
        if (!(f instanceof Arith op) || out.dtype() != DType.F32 || a.dtype() != DType.F32 || b.dtype() != DType.F32 || out.dim() == 0)
            return false;
        int[] shape = out.shape();
        Tensor ea = a.detach().expand(shape), eb = b.detach().expand(shape);
        long ia = ea.stride(-1), ib = eb.stride(-1), len = shape[shape.length - 1];
        if ((ia != 0 && ia != 1) || (ib != 0 && ib != 1)) return false;
        long[] ra = rowStarts(ea), rb = rowStarts(eb);
        MemorySegment o = out.segment(), sa = ea.segment(), sb = eb.segment();
        for (int r = 0; r < ra.length; r++) {
            long base = r * len;
            if (ia == 1 && ib == 1) F32Loops.binary(op, sa, ra[r], sb, rb[r], o, base, len);
            else if (ia == 1) F32Loops.withConstant(op, sa, ra[r], sb.getAtIndex(ElementAccess.F32, rb[r]), false, o, base, len);
            else if (ib == 1) F32Loops.withConstant(op, sb, rb[r], sa.getAtIndex(ElementAccess.F32, ra[r]), true, o, base, len);
            else {
                float v = (float) op.applyAsDouble(sa.getAtIndex(ElementAccess.F32, ra[r]), sb.getAtIndex(ElementAccess.F32, rb[r]));
                for (long j = 0; j < len; j++) o.setAtIndex(ElementAccess.F32, base + j, v);
            }
        }
        return true;
    }

    /**
     * A new contiguous tensor of {@code shape} holding {@code src} broadcast to it, in src's dtype
     * (not recorded): the backward of a reduction. Rows that are contiguous or broadcast in src
     * are copied or filled whole; anything else goes through the generic copy.
     */
    static Tensor broadcastCopy(Tensor src, int[] shape) {
        Tensor e = src.detach().expand(shape);
        Tensor out = Tensor.empty(src.dtype(), shape);
        long inner = e.dim() == 0 ? 0 : e.stride(-1);
        if (e.dim() == 0 || (inner != 0 && inner != 1)) return out.copyFrom(e);
        long[] starts = rowStarts(e);
        long len = shape[shape.length - 1], bytes = src.dtype().byteSize();
        MemorySegment from = e.segment(), to = out.segment();
        for (int r = 0; r < starts.length; r++) {
            long base = r * len;
            if (inner == 1) {
                MemorySegment.copy(from, starts[r] * bytes, to, base * bytes, len * bytes);
            } else if (len > 0) {
                // one value, then the filled prefix copied onto itself doubling each time
                MemorySegment.copy(from, starts[r] * bytes, to, base * bytes, bytes);
                for (long filled = 1; filled < len; filled *= 2)
                    MemorySegment.copy(to, base * bytes, to, (base + filled) * bytes, Math.min(filled, len - filled) * bytes);
            }
        }
        return out;
    }

    /** Storage index of the first element of every last-dimension row of t (rank ≥ 1), in row-major order. */
    private static long[] rowStarts(Tensor t) {
        int[] shape = t.shape();
        long[] strides = t.strides();
        int rank = shape.length;
        int rows = shape[rank - 1] == 0 ? 0 : Math.toIntExact(t.numel() / shape[rank - 1]);
        long[] starts = new long[rows];
        int[] idx = new int[rank];
        long at = t.offset();
        for (int r = 0; r < rows; r++) {
            starts[r] = at;
            for (int d = rank - 2; d >= 0; d--) {
                at += strides[d];
                if (++idx[d] < shape[d]) break;
                at -= strides[d] * shape[d];
                idx[d] = 0;
            }
        }
        return starts;
    }

    /** Whether {@code part}, aligned right, is ones then exactly the trailing dimensions of {@code shape}. */
    private static boolean isTrailingRow(int[] part, int[] shape) {
        int lead = shape.length - part.length, d = 0;
        while (d < part.length && part[d] == 1) d++;
        for (; d < part.length; d++) if (part[d] != shape[d + lead]) return false;
        return true;
    }

    /** Whether {@code part}, aligned right, is exactly the leading dimensions of {@code shape} then ones. */
    private static boolean isLeadingColumn(int[] part, int[] shape) {
        int lead = shape.length - part.length;
        for (int d = 0; d < lead; d++) if (shape[d] != 1) return false;
        int d = part.length - 1;
        while (d >= 0 && part[d] == 1) d--;
        for (; d >= 0; d--) if (part[d] != shape[d + lead]) return false;
        return true;
    }

    /** x op c, or c op x when {@code constantFirst} (not recorded); F32 contiguous runs vectorized. */
    private static Tensor mapConstant(Tensor x, double c, Arith op, boolean constantFirst) {
        if (x.dtype() == DType.F32 && x.isContiguous()) {
            Tensor out = Tensor.empty(DType.F32, x.shape());
            F32Loops.withConstant(op, x.segment(), x.offset(), (float) c, constantFirst, out.segment(), 0, out.numel());
            return out;
        }
        return constantFirst ? map(x, v -> op.applyAsDouble(c, v)) : map(x, v -> op.applyAsDouble(v, c));
    }

    public static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            int x = d - (rank - a.length) >= 0 ? a[d - (rank - a.length)] : 1;
            int y = d - (rank - b.length) >= 0 ? b[d - (rank - b.length)] : 1;
            if (x != y && x != 1 && y != 1)
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            out[d] = x == 1 ? y : x;
        }
        return out;
    }

    static DType resultType(Tensor a, Tensor b) {
        return a.dtype() == DType.F64 || b.dtype() == DType.F64 ? DType.F64 : DType.F32;
    }

    // ---------------------------------------------------------------- arithmetic

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = map(a, b, Arith.ADD);
        return Autograd.record(out, "add", g -> new Tensor[] {Reduce.sumToShape(g, a.shape()), Reduce.sumToShape(g, b.shape())}, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = map(a, b, Arith.SUB);
        return Autograd.record(out, "sub", g -> new Tensor[] {
                Reduce.sumToShape(g, a.shape()),
                b.requiresGrad() ? Reduce.sumToShape(neg(g), b.shape()) : null}, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = map(a, b, Arith.MUL);
        return Autograd.record(out, "mul", g -> new Tensor[] {
                a.requiresGrad() ? Reduce.sumToShape(mul(g, b), a.shape()) : null,
                b.requiresGrad() ? Reduce.sumToShape(mul(g, a), b.shape()) : null}, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = map(a, b, Arith.DIV);
        return Autograd.record(out, "div", g -> new Tensor[] {
                a.requiresGrad() ? Reduce.sumToShape(div(g, b), a.shape()) : null,
                b.requiresGrad() ? Reduce.sumToShape(neg(div(mul(g, out), b)), b.shape()) : null}, a, b);
    }

    public static Tensor neg(Tensor a) {
        Tensor out = map(a, Fn.NEG);
        return Autograd.record(out, "neg", g -> new Tensor[] {neg(g)}, a);
    }

    public static Tensor add(Tensor a, double c) {
        Tensor out = mapConstant(a, c, Arith.ADD, false);
        return Autograd.record(out, "add_scalar", g -> new Tensor[] {g}, a);
    }

    /** a - c */
    public static Tensor sub(Tensor a, double c) {
        Tensor out = mapConstant(a, c, Arith.SUB, false);
        return Autograd.record(out, "sub_scalar", g -> new Tensor[] {g}, a);
    }

    /** c - a */
    public static Tensor sub(double c, Tensor a) {
        Tensor out = mapConstant(a, c, Arith.SUB, true);
        return Autograd.record(out, "rsub_scalar", g -> new Tensor[] {neg(g)}, a);
    }

    public static Tensor mul(Tensor a, double c) {
        Tensor out = mapConstant(a, c, Arith.MUL, false);
        return Autograd.record(out, "mul_scalar", g -> new Tensor[] {mul(g, c)}, a);
    }

    /** a / c */
    public static Tensor div(Tensor a, double c) {
        Tensor out = mapConstant(a, c, Arith.DIV, false);
        return Autograd.record(out, "div_scalar", g -> new Tensor[] {div(g, c)}, a);
    }

    /** c / a */
    public static Tensor div(double c, Tensor a) {
        Tensor out = mapConstant(a, c, Arith.DIV, true);
        // d(c/a)/da = -c/a² = -out/a
        return Autograd.record(out, "rdiv_scalar", g -> new Tensor[] {map(g, map(out, a, (y, x) -> -y / x), Arith.MUL)}, a);
    }

    // ---------------------------------------------------------------- powers and roots

    public static Tensor square(Tensor a) {
        Tensor out = map(a, x -> x * x);
        return Autograd.record(out, "square", g -> new Tensor[] {map(g, a, (gg, x) -> 2 * x * gg)}, a);
    }

    /** a^p for a constant exponent (Math.pow semantics: a fractional power of a negative number is NaN). */
    public static Tensor pow(Tensor a, double p) {
        Tensor out = map(a, x -> Math.pow(x, p));
        return Autograd.record(out, "pow_scalar", g -> new Tensor[] {
                map(g, a, (gg, x) -> p == 0 ? 0 : gg * p * Math.pow(x, p - 1))}, a);
    }

    /**
     * a^b elementwise with broadcasting. The exponent's gradient is out·ln(a), so it is only
     * meaningful where a > 0 (as in PyTorch).
     */
    public static Tensor pow(Tensor a, Tensor b) {
        Tensor out = map(a, b, Math::pow);
        return Autograd.record(out, "pow", g -> new Tensor[] {
                a.requiresGrad() ? Reduce.sumToShape(mul(g, map(a, b, (x, y) -> y == 0 ? 0 : y * Math.pow(x, y - 1))), a.shape()) : null,
                b.requiresGrad() ? Reduce.sumToShape(mul(g, map(out, a, (y, x) -> y == 0 ? 0 : y * Math.log(x))), b.shape()) : null}, a, b);
    }

    public static Tensor sqrt(Tensor a) {
        Tensor out = map(a, Fn.SQRT);
        return Autograd.record(out, "sqrt", g -> new Tensor[] {map(g, out, (gg, y) -> gg / (2 * y))}, a);
    }

    /** 1/sqrt(a) */
    public static Tensor rsqrt(Tensor a) {
        Tensor out = map(a, Fn.RSQRT);
        return Autograd.record(out, "rsqrt", g -> new Tensor[] {map(g, out, (gg, y) -> -0.5 * gg * y * y * y)}, a);
    }

    // ---------------------------------------------------------------- transcendental and activations

    public static Tensor exp(Tensor a) {
        Tensor out = map(a, Fn.EXP);
        return Autograd.record(out, "exp", g -> new Tensor[] {map(g, out, Arith.MUL)}, a);
    }

    /** Natural logarithm. */
    public static Tensor log(Tensor a) {
        Tensor out = map(a, Fn.LOG);
        return Autograd.record(out, "log", g -> new Tensor[] {map(g, a, Arith.DIV)}, a);
    }

    public static Tensor tanh(Tensor a) {
        Tensor out = map(a, Fn.TANH);
        return Autograd.record(out, "tanh", g -> new Tensor[] {map(g, out, (gg, y) -> gg * (1 - y * y))}, a);
    }

    public static Tensor sigmoid(Tensor a) {
        Tensor out = map(a, Fn.SIGMOID);
        return Autograd.record(out, "sigmoid", g -> new Tensor[] {map(g, out, (gg, y) -> gg * y * (1 - y))}, a);
    }

    /** x·sigmoid(x) (also called swish). */
    public static Tensor silu(Tensor a) {
        Tensor out = map(a, Fn.SILU);
        return Autograd.record(out, "silu", g -> new Tensor[] {map(g, a, (gg, x) -> {
            double s = Fn.sigmoid(x);
            return gg * s * (1 + x * (1 - s));
        })}, a);
    }

    /** max(x, 0); the gradient at exactly 0 is 0 (as in PyTorch). */
    public static Tensor relu(Tensor a) {
        Tensor out = map(a, x -> x > 0 ? x : 0);
        return Autograd.record(out, "relu", g -> new Tensor[] {map(g, a, (gg, x) -> x > 0 ? gg : 0)}, a);
    }

    /** |x|; the gradient is sign(x), 0 at exactly 0 (as in PyTorch). */
    public static Tensor abs(Tensor a) {
        Tensor out = map(a, Fn.ABS);
        return Autograd.record(out, "abs", g -> new Tensor[] {map(g, a, (gg, x) -> gg * Math.signum(x))}, a);
    }

    /**
     * min(max(x, min), max). Use ±infinity for a one-sided clamp. The gradient passes where
     * min ≤ x ≤ max (bounds included, as in PyTorch) and is 0 elsewhere.
     */
    public static Tensor clamp(Tensor a, double min, double max) {
        if (min > max) throw new IllegalArgumentException("clamp needs min <= max, got min " + min + " and max " + max);
        Tensor out = map(a, x -> x < min ? min : x > max ? max : x);
        return Autograd.record(out, "clamp", g -> new Tensor[] {map(g, a, (gg, x) -> x >= min && x <= max ? gg : 0)}, a);
    }

    // ---------------------------------------------------------------- selection

    /**
     * cond ? a : b elementwise, all three broadcast together. {@code cond} may be any dtype
     * (nonzero = true) and gets no gradient.
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] shape = broadcastShape(broadcastShape(cond.shape(), a.shape()), b.shape());
        Tensor out = Tensor.empty(resultType(a, b), shape);
        out.copyFrom(b.detach().expand(shape));
        overwriteWhere(out, cond, a.detach().expand(shape), true);
        return Autograd.record(out, "where", g -> new Tensor[] {
                null,
                a.requiresGrad() ? Reduce.sumToShape(keepWhere(g, cond, true), a.shape()) : null,
                b.requiresGrad() ? Reduce.sumToShape(keepWhere(g, cond, false), b.shape()) : null}, cond, a, b);
    }

    /** x with {@code value} wherever {@code mask} (broadcast to x's shape, any dtype) is nonzero. */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        int[] shape = x.shape();
        if (!Arrays.equals(broadcastShape(shape, mask.shape()), shape))
            throw new IllegalArgumentException("mask of shape " + Arrays.toString(mask.shape()) + " does not broadcast to the tensor's shape "
                    + Arrays.toString(shape));
        Tensor out = Tensor.empty(x.dtype().computeType(), shape).copyFrom(x);
        overwriteWhere(out, mask, Tensor.full(DType.F64, value, new int[0]).expand(shape), true);
        return Autograd.record(out, "masked_fill", g -> new Tensor[] {keepWhere(g, mask, false), null}, x, mask);
    }

    /** out[i] = src[i] where (cond[i] != 0) == {@code when}; src has out's shape, cond broadcasts to it. */
    private static void overwriteWhere(Tensor out, Tensor cond, Tensor src, boolean when) {
        Tensor c = cond.detach().expand(out.shape());
        MemorySegment so = out.segment(), sc = c.segment(), ss = src.segment();
        DType to = out.dtype(), tc = c.dtype(), ts = src.dtype();
        StridedWalk.forEach3(out, c, src, (i, at, ci, si) -> {
            if ((ElementAccess.read(sc, tc, ci) != 0) == when) ElementAccess.write(so, to, at, ElementAccess.read(ss, ts, si));
        });
    }

    /** g where (cond != 0) == {@code when}, else 0; g's shape (cond broadcasts to it). */
    private static Tensor keepWhere(Tensor g, Tensor cond, boolean when) {
        Tensor out = Tensor.empty(g.dtype().computeType(), g.shape()).copyFrom(g);
        overwriteWhere(out, cond, Tensor.zeros(DType.F64).expand(g.shape()), !when);
        return out;
    }

    // ---------------------------------------------------------------- comparisons (U8 0/1, not differentiable)

    public static Tensor eq(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x == y ? 1 : 0); }
    public static Tensor ne(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x != y ? 1 : 0); }
    public static Tensor lt(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x < y ? 1 : 0); }
    public static Tensor le(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x <= y ? 1 : 0); }
    public static Tensor gt(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x > y ? 1 : 0); }
    public static Tensor ge(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x >= y ? 1 : 0); }

    public static Tensor eq(Tensor a, double c) { return compare(a, constant(c), (x, y) -> x == y ? 1 : 0); }
    public static Tensor ne(Tensor a, double c) { return compare(a, constant(c), (x, y) -> x != y ? 1 : 0); }
    public static Tensor lt(Tensor a, double c) { return compare(a, constant(c), (x, y) -> x < y ? 1 : 0); }
    public static Tensor le(Tensor a, double c) { return compare(a, constant(c), (x, y) -> x <= y ? 1 : 0); }
    public static Tensor gt(Tensor a, double c) { return compare(a, constant(c), (x, y) -> x > y ? 1 : 0); }
    public static Tensor ge(Tensor a, double c) { return compare(a, constant(c), (x, y) -> x >= y ? 1 : 0); }

    /** A 0-d F64 constant, so comparing against it does not round the constant to float. */
    private static Tensor constant(double c) {
        return Tensor.full(DType.F64, c, new int[0]);
    }

    private static Tensor compare(Tensor a, Tensor b, DoubleBinaryOperator test) {
        Tensor out = Tensor.zeros(DType.U8, broadcastShape(a.shape(), b.shape()));
        mapInto(out, a, b, test);
        return out;
    }

    // ---------------------------------------------------------------- in place (not recorded)

    /** dst += src in place (src broadcast to dst's shape); not recorded. Used to accumulate gradients. */
    public static void addInPlace(Tensor dst, Tensor src) {
        addInPlace(dst, src, 1);
    }

    /** dst += alpha·src in place (src broadcast to dst's shape); not recorded. */
    public static void addInPlace(Tensor dst, Tensor src, double alpha) {
        int[] shape = dst.shape();
        if (dst.dtype() == DType.F32 && src.dtype() == DType.F32 && dst.isContiguous() && src.isContiguous()
                && Arrays.equals(src.shape(), shape)) {
            MemorySegment d = dst.segment(), s = src.segment();
            long od = dst.offset(), os = src.offset(), n = dst.numel();
            if (alpha == 1) {
                F32Loops.binary(Arith.ADD, d, od, s, os, d, od, n);
            } else {
                float a = (float) alpha;
                for (long i = 0; i < n; i++)
                    d.setAtIndex(ElementAccess.F32, od + i, d.getAtIndex(ElementAccess.F32, od + i) + a * s.getAtIndex(ElementAccess.F32, os + i));
            }
            return;
        }
        Tensor e = src.detach().expand(shape);
        MemorySegment d = dst.segment(), s = e.segment();
        DType td = dst.dtype(), ts = e.dtype();
        StridedWalk.forEach2(dst, e, (i, at, x) -> ElementAccess.write(d, td, at, ElementAccess.read(d, td, at) + alpha * ElementAccess.read(s, ts, x)));
    }

    /** dst *= c in place; not recorded. */
    public static void mulInPlace(Tensor dst, double c) {
        if (dst.dtype() == DType.F32 && dst.isContiguous()) {
            F32Loops.withConstant(Arith.MUL, dst.segment(), dst.offset(), (float) c, false, dst.segment(), dst.offset(), dst.numel());
            return;
        }
        MemorySegment d = dst.segment();
        DType td = dst.dtype();
        StridedWalk.forEach(dst, (i, at) -> ElementAccess.write(d, td, at, ElementAccess.read(d, td, at) * c));
    }
}
