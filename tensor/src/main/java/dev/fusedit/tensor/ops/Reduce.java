package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.ElementAccess;
import dev.fusedit.tensor.StridedWalk;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.Autograd;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Reductions over dimensions (sum, mean, max, min, var, argmax, argmin) with keepdim, and their
 * backward. {@code dims} may be negative and lists the dimensions to reduce; an empty list
 * reduces nothing. Results are in the input's compute type (F64 stays F64, else F32) and are
 * accumulated in double.
 *
 * <p>Gradient of max/min at ties: split evenly among every element equal to the extreme (like
 * torch.amax/amin), so the gradient summed over a reduced slice is always the incoming one.
 */
public final class Reduce {
    private Reduce() {}

    /** How values combine: an identity and a two-value step. */
    private enum Combine {
        SUM(0), MAX(Double.NEGATIVE_INFINITY), MIN(Double.POSITIVE_INFINITY);

        final double identity;

        Combine(double identity) {
            this.identity = identity;
        }

        /** NaN propagates through max and min, as in PyTorch. */
        double apply(double acc, double v) {
            return switch (this) {
                case SUM -> acc + v;
                case MAX -> Math.max(acc, v);
                case MIN -> Math.min(acc, v);
            };
        }
    }

    // ---------------------------------------------------------------- sum and mean

    /** Sum over {@code dims} (negative allowed); keepdim keeps them as size 1. */
    public static Tensor sum(Tensor x, boolean keepdim, int... dims) {
        boolean[] reduced = reducedAxes(x, dims);
        int[] kept = keptShape(x.shape(), reduced);
        Tensor out = reduceValues(x, reduced, Combine.SUM);
        Tensor result = keepdim ? out : out.reshape(dropReduced(kept, reduced));
        int[] inShape = x.shape();
        return Autograd.record(result, "sum", g -> new Tensor[] {Pointwise.broadcastCopy(g.reshape(kept), inShape)}, x);
    }

    /** Sum of every element, as a 0-d tensor. */
    public static Tensor sum(Tensor x) {
        return sum(x, false, allDims(x));
    }

    /** Mean over {@code dims}; the mean over no elements is NaN. */
    public static Tensor mean(Tensor x, boolean keepdim, int... dims) {
        return Pointwise.div(sum(x, keepdim, dims), (double) reducedCount(x, reducedAxes(x, dims)));
    }

    public static Tensor mean(Tensor x) {
        return mean(x, false, allDims(x));
    }

    // ---------------------------------------------------------------- variance

    /**
     * Variance over {@code dims}: Σ(x − mean)² / (N − 1) when {@code unbiased} (torch.var's
     * default, Bessel's correction), / N when not (the population variance). With N = 1 the
     * unbiased variance is NaN, as in PyTorch.
     */
    public static Tensor var(Tensor x, boolean unbiased, boolean keepdim, int... dims) {
        long n = reducedCount(x, reducedAxes(x, dims));
        Tensor centered = Pointwise.sub(x, mean(x, true, dims));
        Tensor squares = sum(Pointwise.square(centered), keepdim, dims);
        return Pointwise.div(squares, (double) (unbiased ? n - 1 : n));
    }

    /** Unbiased variance of every element. */
    public static Tensor var(Tensor x) {
        return var(x, true);
    }

    public static Tensor var(Tensor x, boolean unbiased) {
        return var(x, unbiased, false, allDims(x));
    }

    // ---------------------------------------------------------------- max and min

    /** Largest value over {@code dims}; the gradient goes to the maximal elements (ties share it evenly). */
    public static Tensor max(Tensor x, boolean keepdim, int... dims) {
        return extreme(x, keepdim, dims, Combine.MAX, "max");
    }

    public static Tensor max(Tensor x) {
        return max(x, false, allDims(x));
    }

    /** Smallest value over {@code dims}; the gradient goes to the minimal elements (ties share it evenly). */
    public static Tensor min(Tensor x, boolean keepdim, int... dims) {
        return extreme(x, keepdim, dims, Combine.MIN, "min");
    }

    public static Tensor min(Tensor x) {
        return min(x, false, allDims(x));
    }

    private static Tensor extreme(Tensor x, boolean keepdim, int[] dims, Combine kind, String op) {
        boolean[] reduced = reducedAxes(x, dims);
        for (int d = 0; d < reduced.length; d++)
            if (reduced[d] && x.shape()[d] == 0) throw new IllegalArgumentException(op + " over dimension " + d + " of size 0");
        int[] kept = keptShape(x.shape(), reduced);
        Tensor values = reduceValues(x, reduced, kind);
        Tensor result = keepdim ? values : values.reshape(dropReduced(kept, reduced));
        int[] reducedDims = axesOf(reduced);
        return Autograd.record(result, op, g -> {
            Tensor hit = Pointwise.eq(x, values);
            Tensor share = Pointwise.div(g.reshape(kept), sum(hit, true, reducedDims));
            return new Tensor[] {Pointwise.mul(hit, share)};
        }, x);
    }

    // ---------------------------------------------------------------- argmax and argmin

    /** Index (I64) of the largest value along {@code dim}; the first one at ties; NaN counts as largest. Not differentiable. */
    public static Tensor argmax(Tensor x, int dim, boolean keepdim) {
        return argExtreme(x, dim, keepdim, true);
    }

    /** Index into the flattened tensor (row-major) of the largest value, as a 0-d I64 tensor. */
    public static Tensor argmax(Tensor x) {
        return argExtreme(x.detach().reshape(-1), 0, false, true);
    }

    /** Index (I64) of the smallest value along {@code dim}; the first one at ties; NaN counts as smallest. Not differentiable. */
    public static Tensor argmin(Tensor x, int dim, boolean keepdim) {
        return argExtreme(x, dim, keepdim, false);
    }

    public static Tensor argmin(Tensor x) {
        return argExtreme(x.detach().reshape(-1), 0, false, false);
    }

    private static Tensor argExtreme(Tensor x, int dim, boolean keepdim, boolean largest) {
        int a = x.axis(dim);
        int[] shape = x.shape();
        int len = shape[a];
        if (len == 0) throw new IllegalArgumentException((largest ? "argmax" : "argmin") + " over dimension " + a + " of size 0");
        // Move the dimension last so each output element scans one contiguous row.
        int[] order = new int[shape.length];
        for (int d = 0, k = 0; d < shape.length; d++) if (d != a) order[k++] = d;
        order[shape.length - 1] = a;
        double[] rows = x.detach().permute(order).toDoubleArray();
        int[] kept = shape.clone();
        kept[a] = 1;
        Tensor out = Tensor.zeros(DType.I64, kept);
        MemorySegment o = out.segment();
        for (int r = 0, base = 0; base < rows.length; r++, base += len) {
            int best = 0;
            double bestValue = rows[base];
            for (int j = 1; j < len && !Double.isNaN(bestValue); j++) {
                double v = rows[base + j];
                if (Double.isNaN(v) || (largest ? v > bestValue : v < bestValue)) {
                    best = j;
                    bestValue = v;
                }
            }
            o.setAtIndex(ElementAccess.I64, r, best);
        }
        return keepdim ? out : out.reshape(dropReduced(kept, reducedAxes(x, new int[] {a})));
    }

    // ---------------------------------------------------------------- broadcast backward

    /** Sums a broadcast gradient back down to {@code shape} (the backward of broadcasting). */
    public static Tensor sumToShape(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        int[] dims = new int[gs.length];
        int count = 0;
        for (int d = 0; d < gs.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gs[d] != 1)) dims[count++] = d;
        }
        Tensor s = sum(g, true, Arrays.copyOf(dims, count));
        return s.reshape(shape);
    }

    // ---------------------------------------------------------------- the reduction engine

    /**
     * The reduction of x over the {@code reduced} axes, keepdim shape, compute type, not recorded.
     * A contiguous x whose reduced axes form one block [outer, r, inner] runs direct loops (a
     * last-dimension reduction is inner = 1; a bias gradient is outer = 1); others walk strides.
     */
    private static Tensor reduceValues(Tensor x, boolean[] reduced, Combine kind) {
        int[] shape = x.shape();
        int[] kept = keptShape(shape, reduced);
        Tensor out = Tensor.zeros(x.dtype().computeType(), kept);
        double[] acc = new double[Math.toIntExact(out.numel())];
        Arrays.fill(acc, kind.identity);
        long[] block = x.isContiguous() ? block(shape, reduced) : null;
        MemorySegment s = x.segment();
        DType t = x.dtype();
        if (block != null) {
            long outer = block[0], r = block[1], inner = block[2], base = x.offset();
            if (inner == 1 && kind == Combine.SUM && t == DType.F32) {
                // four independent sums, so the adds do not wait on one another
                for (int o = 0; o < outer; o++) {
                    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    long row = base + o * r, k = 0;
                    for (; k + 4 <= r; k += 4) {
                        s0 += s.getAtIndex(ElementAccess.F32, row + k);
                        s1 += s.getAtIndex(ElementAccess.F32, row + k + 1);
                        s2 += s.getAtIndex(ElementAccess.F32, row + k + 2);
                        s3 += s.getAtIndex(ElementAccess.F32, row + k + 3);
                    }
                    for (; k < r; k++) s0 += s.getAtIndex(ElementAccess.F32, row + k);
                    acc[o] = (s0 + s1) + (s2 + s3);
                }
            } else if (inner == 1 && t == DType.F32) {
                boolean max = kind == Combine.MAX;
                for (int o = 0; o < outer; o++) {
                    double best = kind.identity;
                    long row = base + o * r;
                    for (long k = 0; k < r; k++) {
                        float v = s.getAtIndex(ElementAccess.F32, row + k);
                        best = max ? Math.max(best, v) : Math.min(best, v);
                    }
                    acc[o] = best;
                }
            } else if (kind == Combine.SUM && t == DType.F32) {
                for (int o = 0; o < outer; o++)
                    for (long k = 0; k < r; k++) {
                        long src = base + (o * r + k) * inner;
                        int dst = (int) (o * inner);
                        for (int j = 0; j < inner; j++) acc[dst + j] += s.getAtIndex(ElementAccess.F32, src + j);
                    }
            } else {
                for (int o = 0; o < outer; o++)
                    for (long k = 0; k < r; k++) {
                        long src = base + (o * r + k) * inner;
                        int dst = (int) (o * inner);
                        for (int j = 0; j < inner; j++) acc[dst + j] = kind.apply(acc[dst + j], ElementAccess.read(s, t, src + j));
                    }
            }
        } else {
            // Walk x; the accumulator index drops (stride 0) the reduced dims.
            long[] accStrides = Tensor.contiguousStrides(kept);
            for (int d = 0; d < reduced.length; d++) if (reduced[d]) accStrides[d] = 0;
            Tensor target = new Tensor(out.storage(), out.dtype(), shape, accStrides, 0);
            StridedWalk.forEach2(x, target, (i, at, o) -> acc[(int) o] = kind.apply(acc[(int) o], ElementAccess.read(s, t, at)));
        }
        MemorySegment os = out.segment();
        DType to = out.dtype();
        for (int i = 0; i < acc.length; i++) ElementAccess.write(os, to, i, acc[i]);
        return out;
    }

    /**
     * {outer, r, inner} when the reduced axes of size > 1 sit in one run with only size-1 axes
     * between them, so a contiguous tensor reads as [outer][r][inner]; null otherwise.
     */
    private static long[] block(int[] shape, boolean[] reduced) {
        int first = -1, last = -1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d] && shape[d] != 1) {
                if (first < 0) first = d;
                last = d;
            }
        }
        long n = Tensor.numel(shape);
        if (first < 0) return new long[] {n, 1, 1};
        long outer = 1, r = 1, inner = 1;
        for (int d = 0; d < shape.length; d++) {
            if (d < first) outer *= shape[d];
            else if (d > last) inner *= shape[d];
            else if (reduced[d]) r *= shape[d];
            else if (shape[d] != 1) return null;
        }
        return new long[] {outer, r, inner};
    }

    // ---------------------------------------------------------------- dimension bookkeeping

    static int[] allDims(Tensor x) {
        int[] all = new int[x.dim()];
        for (int d = 0; d < all.length; d++) all[d] = d;
        return all;
    }

    static boolean[] reducedAxes(Tensor x, int[] dims) {
        boolean[] reduced = new boolean[x.dim()];
        for (int d : dims) reduced[x.axis(d)] = true;
        return reduced;
    }

    private static int[] axesOf(boolean[] reduced) {
        int[] out = new int[reduced.length];
        int n = 0;
        for (int d = 0; d < reduced.length; d++) if (reduced[d]) out[n++] = d;
        return Arrays.copyOf(out, n);
    }

    private static long reducedCount(Tensor x, boolean[] reduced) {
        long n = 1;
        for (int d = 0; d < reduced.length; d++) if (reduced[d]) n *= x.shape()[d];
        return n;
    }

    static int[] keptShape(int[] shape, boolean[] reduced) {
        int[] kept = shape.clone();
        for (int d = 0; d < kept.length; d++) if (reduced[d]) kept[d] = 1;
        return kept;
    }

    static int[] dropReduced(int[] shape, boolean[] reduced) {
        int[] out = new int[shape.length];
        int n = 0;
        for (int d = 0; d < shape.length; d++) if (!reduced[d]) out[n++] = shape[d];
        return Arrays.copyOf(out, n);
    }
}
