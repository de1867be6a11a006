package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.Autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Joining tensors along a dimension (cat, stack: new tensors, recorded) and cutting one into
 * pieces (split, chunk: narrow views, differentiable through {@link Tensor#narrow}).
 */
public final class JoinSplit {
    private JoinSplit() {}

    /**
     * The tensors joined along {@code dim} (negative counts from the end). They must have the
     * same rank and the same sizes in every other dimension. The result keeps their dtype when
     * they share one, else computes in F64 if any is F64, else F32.
     */
    public static Tensor cat(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("cat needs at least one tensor");
        Tensor first = tensors[0];
        int a = first.axis(dim);
        int[] shape = first.shape();
        int total = 0;
        DType dtype = first.dtype();
        boolean f64 = false;
        for (int i = 0; i < tensors.length; i++) {
            int[] s = tensors[i].shape();
            boolean compatible = s.length == shape.length;
            for (int d = 0; compatible && d < s.length; d++) compatible = d == a || s[d] == shape[d];
            if (!compatible)
                throw new IllegalArgumentException("cat along dimension " + a + ": tensor " + i + " has shape " + Arrays.toString(s)
                        + ", expected the other sizes of " + Arrays.toString(shape));
            total = Math.addExact(total, s[a]);
            if (tensors[i].dtype() != dtype) dtype = null;
            f64 |= tensors[i].dtype() == DType.F64;
        }
        if (dtype == null) dtype = f64 ? DType.F64 : DType.F32;
        shape[a] = total;
        Tensor out = Tensor.empty(dtype, shape);
        int[] starts = new int[tensors.length];
        int[] lengths = new int[tensors.length];
        for (int i = 0, at = 0; i < tensors.length; i++) {
            starts[i] = at;
            lengths[i] = tensors[i].size(a);
            copyBlock(tensors[i], out, a, at);
            at += lengths[i];
        }
        return Autograd.record(out, "cat", g -> {
            Tensor[] grads = new Tensor[tensors.length];
            for (int i = 0; i < tensors.length; i++)
                if (tensors[i].requiresGrad()) grads[i] = g.narrow(a, starts[i], lengths[i]);
            return grads;
        }, tensors.clone());
    }

    /**
     * Copies {@code src} into {@code out} at offset {@code start} along axis {@code a}. A contiguous
     * source of out's dtype is [outer][size(a)·inner] and lands as whole runs of that many elements.
     */
    private static void copyBlock(Tensor src, Tensor out, int a, int start) {
        if (!src.isContiguous() || src.dtype() != out.dtype()) {
            out.narrow(a, start, src.size(a)).copyFrom(src);
            return;
        }
        int[] shape = out.shape();
        long outer = 1, inner = 1;
        for (int d = 0; d < a; d++) outer *= shape[d];
        for (int d = a + 1; d < shape.length; d++) inner *= shape[d];
        long bytes = out.dtype().byteSize(), run = src.size(a) * inner, outRun = shape[a] * inner;
        for (long o = 0; o < outer; o++)
            java.lang.foreign.MemorySegment.copy(src.segment(), (src.offset() + o * run) * bytes,
                    out.segment(), (o * outRun + start * inner) * bytes, run * bytes);
    }

    /**
     * The tensors, all of one shape, stacked along a new dimension {@code dim} (0 ≤ dim ≤ rank;
     * negative counts from the end of the result's rank).
     */
    public static Tensor stack(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("stack needs at least one tensor");
        int[] shape = tensors[0].shape();
        Tensor[] unsqueezed = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (!Arrays.equals(tensors[i].shape(), shape))
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Arrays.toString(tensors[i].shape())
                        + ", expected " + Arrays.toString(shape) + " like tensor 0");
            unsqueezed[i] = tensors[i].unsqueeze(dim);
        }
        return cat(dim < 0 ? dim + shape.length + 1 : dim, unsqueezed);
    }

    /** Pieces of {@code size} along {@code dim} (the last one smaller when size does not divide), as views. */
    public static List<Tensor> split(Tensor x, int dim, int size) {
        int a = x.axis(dim);
        if (size <= 0) throw new IllegalArgumentException("split size must be positive, got " + size);
        int length = x.size(a);
        List<Tensor> pieces = new ArrayList<>();
        for (int start = 0; start < length; start += size) pieces.add(x.narrow(a, start, Math.min(size, length - start)));
        return List.copyOf(pieces);
    }

    /** Pieces of the given sizes along {@code dim}, as views; the sizes must add up to that dimension's size. */
    public static List<Tensor> split(Tensor x, int dim, int[] sizes) {
        int a = x.axis(dim);
        long sum = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("split sizes must not be negative, got " + Arrays.toString(sizes));
            sum += s;
        }
        if (sum != x.size(a))
            throw new IllegalArgumentException("split sizes " + Arrays.toString(sizes) + " add up to " + sum + ", but dimension " + a
                    + " has size " + x.size(a));
        List<Tensor> pieces = new ArrayList<>(sizes.length);
        int start = 0;
        for (int s : sizes) {
            pieces.add(x.narrow(a, start, s));
            start += s;
        }
        return List.copyOf(pieces);
    }

    /**
     * Up to {@code n} pieces along {@code dim} of ceil(size/n) each (the last smaller), as views;
     * like torch.chunk, fewer than n come back when the size is too small to make n.
     */
    public static List<Tensor> chunk(Tensor x, int n, int dim) {
        if (n <= 0) throw new IllegalArgumentException("chunk count must be positive, got " + n);
        int length = x.size(dim);
        if (length == 0) return List.of(x);
        return split(x, dim, (length + n - 1) / n);
    }
}
