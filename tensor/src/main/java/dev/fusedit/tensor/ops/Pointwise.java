package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Elements;
import dev.fusedit.tensor.StridedWalk;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.Autograd;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise ops with NumPy broadcasting, each with its backward. Results are F64 when an
 * operand is F64, else F32.
 */
public final class Pointwise {
    private Pointwise() {}

    // ---------------------------------------------------------------- the two engines

    /** out[i] = f(a[i], b[i]) after broadcasting a and b to a common shape (not recorded). */
    public static Tensor map(Tensor a, Tensor b, DoubleBinaryOperator f) {
        int[] shape = broadcastShape(a.shape(), b.shape());
        Tensor out = Tensor.zeros(resultType(a, b), shape);
        MemorySegment o = out.segment();
        if (out.dtype() == DType.F32 && a.dtype() == DType.F32 && b.dtype() == DType.F32
                && a.isContiguous() && b.isContiguous() && Arrays.equals(a.shape(), shape) && Arrays.equals(b.shape(), shape)) {
            MemorySegment sa = a.segment(), sb = b.segment();
            long oa = a.offset(), ob = b.offset(), n = out.numel();
            for (long i = 0; i < n; i++)
                o.setAtIndex(Elements.F32, i, (float) f.applyAsDouble(sa.getAtIndex(Elements.F32, oa + i), sb.getAtIndex(Elements.F32, ob + i)));
            return out;
        }
        Tensor ea = a.detach().expand(shape), eb = b.detach().expand(shape);
        DType ta = a.dtype(), tb = b.dtype(), to = out.dtype();
        StridedWalk.forEach3(out, ea, eb, (i, at, x, y) ->
                Elements.write(o, to, at, f.applyAsDouble(Elements.read(ea.segment(), ta, x), Elements.read(eb.segment(), tb, y))));
        return out;
    }

    /** out[i] = f(a[i]) (not recorded). */
    public static Tensor map(Tensor a, DoubleUnaryOperator f) {
        Tensor out = Tensor.zeros(a.dtype().computeType(), a.shape());
        MemorySegment o = out.segment();
        if (a.dtype() == DType.F32 && a.isContiguous()) {
            MemorySegment sa = a.segment();
            long oa = a.offset(), n = out.numel();
            for (long i = 0; i < n; i++) o.setAtIndex(Elements.F32, i, (float) f.applyAsDouble(sa.getAtIndex(Elements.F32, oa + i)));
            return out;
        }
        DType ta = a.dtype(), to = out.dtype();
        StridedWalk.forEach2(out, a, (i, at, x) -> Elements.write(o, to, at, f.applyAsDouble(Elements.read(a.segment(), ta, x))));
        return out;
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
        Tensor out = map(a, b, Double::sum);
        return Autograd.record(out, "add", g -> new Tensor[] {Reduce.sumToShape(g, a.shape()), Reduce.sumToShape(g, b.shape())}, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = map(a, b, (x, y) -> x - y);
        return Autograd.record(out, "sub", g -> new Tensor[] {Reduce.sumToShape(g, a.shape()), Reduce.sumToShape(neg(g), b.shape())}, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = map(a, b, (x, y) -> x * y);
        return Autograd.record(out, "mul", g -> new Tensor[] {
                a.requiresGrad() ? Reduce.sumToShape(mul(g, b), a.shape()) : null,
                b.requiresGrad() ? Reduce.sumToShape(mul(g, a), b.shape()) : null}, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = map(a, b, (x, y) -> x / y);
        return Autograd.record(out, "div", g -> new Tensor[] {
                a.requiresGrad() ? Reduce.sumToShape(div(g, b), a.shape()) : null,
                b.requiresGrad() ? Reduce.sumToShape(neg(div(mul(g, out), b)), b.shape()) : null}, a, b);
    }

    public static Tensor neg(Tensor a) {
        Tensor out = map(a, x -> -x);
        return Autograd.record(out, "neg", g -> new Tensor[] {neg(g)}, a);
    }

    public static Tensor add(Tensor a, double c) {
        Tensor out = map(a, x -> x + c);
        return Autograd.record(out, "add_scalar", g -> new Tensor[] {g}, a);
    }

    public static Tensor mul(Tensor a, double c) {
        Tensor out = map(a, x -> x * c);
        return Autograd.record(out, "mul_scalar", g -> new Tensor[] {mul(g, c)}, a);
    }

    /** dst += src in place (src broadcast to dst's shape); not recorded. Used to accumulate gradients. */
    public static void addInPlace(Tensor dst, Tensor src) {
        int[] shape = dst.shape();
        if (dst.dtype() == DType.F32 && src.dtype() == DType.F32 && dst.isContiguous() && src.isContiguous()
                && Arrays.equals(src.shape(), shape)) {
            MemorySegment d = dst.segment(), s = src.segment();
            long od = dst.offset(), os = src.offset(), n = dst.numel();
            for (long i = 0; i < n; i++) d.setAtIndex(Elements.F32, od + i, d.getAtIndex(Elements.F32, od + i) + s.getAtIndex(Elements.F32, os + i));
            return;
        }
        Tensor e = src.detach().expand(shape);
        StridedWalk.forEach2(dst, e, (i, at, x) -> Elements.write(dst.segment(), dst.dtype(), at,
                Elements.read(dst.segment(), dst.dtype(), at) + Elements.read(e.segment(), e.dtype(), x)));
    }
}
