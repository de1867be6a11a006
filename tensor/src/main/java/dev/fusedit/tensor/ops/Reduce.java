package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.Elements;
import dev.fusedit.tensor.StridedWalk;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.Autograd;

import java.util.Arrays;

/** Reductions over dimensions (sum, mean, max, argmax, var, ...) with keepdim, and their backward. */
public final class Reduce {
    private Reduce() {}

    /** Sum over {@code dims} (negative allowed); keepdim keeps them as size 1. */
    public static Tensor sum(Tensor x, boolean keepdim, int... dims) {
        boolean[] reduced = reducedAxes(x, dims);
        int[] kept = keptShape(x.shape(), reduced);
        Tensor out = Tensor.zeros(x.dtype().computeType(), kept);
        // Walk x; the output index drops (stride 0) the reduced dims.
        long[] outStrides = Tensor.contiguousStrides(kept);
        for (int d = 0; d < reduced.length; d++) if (reduced[d]) outStrides[d] = 0;
        Tensor target = new Tensor(out.storage(), out.dtype(), x.shape(), outStrides, 0);
        StridedWalk.forEach2(x, target, (i, at, o) -> Elements.write(out.segment(), out.dtype(), o,
                Elements.read(out.segment(), out.dtype(), o) + Elements.read(x.segment(), x.dtype(), at)));
        Tensor result = keepdim ? out : out.detach().reshape(dropReduced(kept, reduced));
        int[] inShape = x.shape();
        return Autograd.record(result, "sum", g -> new Tensor[] {g.reshape(kept).expand(inShape).contiguous()}, x);
    }

    /** Sum of every element, as a 0-d tensor. */
    public static Tensor sum(Tensor x) {
        int[] all = new int[x.dim()];
        for (int d = 0; d < all.length; d++) all[d] = d;
        return sum(x, false, all);
    }

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

    static boolean[] reducedAxes(Tensor x, int[] dims) {
        boolean[] reduced = new boolean[x.dim()];
        for (int d : dims) reduced[x.axis(d)] = true;
        return reduced;
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
