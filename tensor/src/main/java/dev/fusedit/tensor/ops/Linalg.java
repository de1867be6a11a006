package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.Autograd;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.MatmulShape;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Matrix products with torch.matmul semantics. Operands go to the matmul kernel without copies
 * whenever their layout allows: a transposed view of a contiguous matrix is passed with the
 * kernel's transpose flag, and an operand shared across the batch (a weight) with batch stride 0.
 * A frozen bfloat16 weight (b, 2-D, row- or column-major, not requiring grad) is read as bfloat16 by
 * {@link Kernels#matmulBf16Weights} in the forward product and in the input gradient, never widened
 * into a float32 copy (for an embedding table used as the LM head that copy would be gigabytes).
 */
public final class Linalg {
    private Linalg() {}

    /**
     * torch.matmul: 1-D operands are promoted to a row (a) or column (b) and the added dimension
     * dropped again; from 2-D on, the last two dimensions multiply and the leading ones broadcast.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        KernelDispatch.requireFloating(a, "matmul operand a");
        KernelDispatch.requireFloating(b, "matmul operand b");
        if (a.dim() == 0 || b.dim() == 0) throw new IllegalArgumentException("matmul needs tensors of at least 1 dimension, got "
                + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        if (a.dim() == 1 && b.dim() == 1) return matmul(a.unsqueeze(0), b.unsqueeze(1)).reshape();
        if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        if (b.dim() == 1) return matmul(a, b.unsqueeze(-1)).squeeze(-1);

        int m = a.size(-2), k = a.size(-1), n = b.size(-1);
        if (b.size(-2) != k) throw new IllegalArgumentException("matmul of " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape())
                + ": a's last dimension (" + k + ") must equal b's second-to-last (" + b.size(-2) + ")");
        int[] batchShape = Pointwise.broadcastShape(leading(a.shape()), leading(b.shape()));
        int batch = Math.toIntExact(Tensor.numel(batchShape));
        DType type = KernelDispatch.computeType(a, b);
        Operand oa = Operand.of(a, batchShape, type);
        Operand bf16 = type == DType.F32 && !b.requiresGrad() ? Operand.ofBf16Weight(b) : null;
        Operand ob = bf16 != null ? bf16 : Operand.of(b, batchShape, type);

        Tensor out = Tensor.zeros(type, append(batchShape, m, n));
        Kernels kernels = KernelDispatch.kernels(type);
        if (batch > 1 && ob.batchStride == 0 && oa.rowsFlatten(m, k)) {
            // a weight times a stack of row-major matrices is one tall product
            multiply(kernels, new MatmulShape(1, Math.multiplyExact(batch, m), n, k, false, ob.trans, 0, 0, 0, false), oa.data, ob, out.data());
        } else {
            multiply(kernels, new MatmulShape(batch, m, n, k, oa.trans, ob.trans, oa.batchStride, ob.batchStride, (long) m * n, false),
                    oa.data, ob, out.data());
        }
        return Autograd.record(out, "matmul", g -> new Tensor[] {
                a.requiresGrad() ? gradA(g, a.shape(), oa, ob, batchShape, m, n, k, type) : null,
                b.requiresGrad() ? gradB(g, b.shape(), oa, ob, batchShape, m, n, k, type) : null}, a, b);
    }

    /**
     * y = x·wᵀ + bias with w stored [out, in] as PyTorch stores it (read through the kernel's
     * transpose flag, never copied); bias [out] or null.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        if (w.dim() != 2) throw new IllegalArgumentException("linear weight must be [out, in], got " + Arrays.toString(w.shape()));
        if (x.dim() < 1 || x.size(-1) != w.size(1))
            throw new IllegalArgumentException("linear input " + Arrays.toString(x.shape()) + " must end in the weight's in-features " + w.size(1));
        if (bias != null && (bias.dim() != 1 || bias.size(0) != w.size(0)))
            throw new IllegalArgumentException("linear bias must be [" + w.size(0) + "], got " + Arrays.toString(bias.shape()));
        Tensor y = matmul(x, w.transpose(0, 1));
        return bias == null ? y : Pointwise.add(y, bias);
    }

    /** op(X)·op(Y) with Y the b-side operand: bfloat16 or float, as {@code y} holds it. */
    private static void multiply(Kernels kernels, MatmulShape s, MemorySegment x, Operand y, MemorySegment c) {
        if (y.bf16) kernels.matmulBf16Weights(s, x, y.data, c);
        else kernels.matmul(s, x, y.data, c);
    }

    // ---------------------------------------------------------------- backward

    /**
     * dA = dC·Bᵀ per batch, computed in A's own layout (so a transposed A gets a transposed
     * gradient; not for a bfloat16 B, which the kernel only takes as its right operand), summed
     * down to A's shape; for an A shared across the batch the sum happens in the kernel's accumulation.
     */
    private static Tensor gradA(Tensor g, int[] aShape, Operand oa, Operand ob, int[] batchShape, int m, int n, int k, DType type) {
        int batch = Math.toIntExact(Tensor.numel(batchShape));
        MemorySegment dC = KernelDispatch.data(g, type);
        Kernels kernels = KernelDispatch.kernels(type);
        boolean summed = batch > 1 && oa.batchStride == 0 && Tensor.numel(leading(aShape)) == 1;
        Tensor grad;
        boolean rowMajorGrad = !oa.trans || ob.bf16;
        if (rowMajorGrad && !summed && batch > 1 && ob.batchStride == 0) {
            // dC is a contiguous stack of rows: one tall product against the shared B
            grad = Tensor.zeros(type, append(batchShape, m, k));
            multiply(kernels, new MatmulShape(1, Math.multiplyExact(batch, m), k, n, false, !ob.trans, 0, 0, 0, false), dC, ob, grad.data());
        } else if (rowMajorGrad) {
            grad = products(kernels, type, batchShape, summed, m, k, n, false, dC, (long) m * n, !ob.trans, ob);
        } else {
            grad = products(kernels, type, batchShape, summed, k, m, n, ob.trans, ob.data, ob.batchStride, true, Operand.floats(dC, (long) m * n))
                    .transpose(-1, -2);
        }
        return summed ? grad.reshape(aShape) : Reduce.sumToShape(grad, aShape);
    }

    /** dB = Aᵀ·dC per batch, computed in B's own layout, summed down to B's shape. */
    private static Tensor gradB(Tensor g, int[] bShape, Operand oa, Operand ob, int[] batchShape, int m, int n, int k, DType type) {
        int batch = Math.toIntExact(Tensor.numel(batchShape));
        MemorySegment dC = KernelDispatch.data(g, type);
        Kernels kernels = KernelDispatch.kernels(type);
        boolean summed = batch > 1 && ob.batchStride == 0 && Tensor.numel(leading(bShape)) == 1;
        Tensor grad;
        if (summed && oa.rowsFlatten(m, k)) {
            // a weight under a stack of row-major activations: the batch sum is the inner dimension of one product
            int rows = Math.multiplyExact(batch, m);
            if (!ob.trans) {
                grad = Tensor.zeros(type, k, n);
                kernels.matmul(new MatmulShape(1, k, n, rows, true, false, 0, 0, 0, false), oa.data, dC, grad.data());
            } else {
                Tensor stored = Tensor.zeros(type, n, k);
                kernels.matmul(new MatmulShape(1, n, k, rows, true, false, 0, 0, 0, false), dC, oa.data, stored.data());
                grad = stored.transpose(0, 1);
            }
        } else if (!ob.trans) {
            grad = products(kernels, type, batchShape, summed, k, n, m, !oa.trans, oa.data, oa.batchStride, false, Operand.floats(dC, (long) m * n));
        } else {
            grad = products(kernels, type, batchShape, summed, n, k, m, true, dC, (long) m * n, oa.trans, oa)
                    .transpose(-1, -2);
        }
        return summed ? grad.reshape(bShape) : Reduce.sumToShape(grad, bShape);
    }

    /**
     * op(X)·op(Y) for every batch entry (X's entry b at b·strideX, Y's at y.batchStride): a stack
     * [batch..., M, N], or when summed one [M, N] matrix that accumulates the entries, call after
     * call (the gradient of an operand shared across the batch, without a batch-sized buffer).
     */
    private static Tensor products(Kernels kernels, DType type, int[] batchShape, boolean summed, int M, int N, int K,
                                   boolean transX, MemorySegment x, long strideX, boolean transY, Operand y) {
        int batch = Math.toIntExact(Tensor.numel(batchShape));
        if (!summed) {
            Tensor c = Tensor.zeros(type, append(batchShape, M, N));
            multiply(kernels, new MatmulShape(batch, M, N, K, transX, transY, strideX, y.batchStride, (long) M * N, false), x, y, c.data());
            return c;
        }
        Tensor c = Tensor.zeros(type, M, N);
        long bytes = type.byteSize(), yBytes = y.bf16 ? DType.BF16.byteSize() : bytes;
        for (int b = 0; b < batch; b++)
            multiply(kernels, new MatmulShape(1, M, N, K, transX, transY, 0, 0, 0, b > 0),
                    x.asSlice(b * strideX * bytes), new Operand(y.data.asSlice(b * y.batchStride * yBytes), y.trans, 0, y.bf16), c.data());
        return c;
    }

    // ---------------------------------------------------------------- operand layout

    /**
     * One operand as the kernel reads it: a stack of matrices, each row-major or (trans) stored
     * transposed with no padding, batch b starting at b·batchStride elements of data; the elements
     * are of the compute type, or bfloat16 when bf16 (a weight for {@link Kernels#matmulBf16Weights}).
     */
    private record Operand(MemorySegment data, boolean trans, long batchStride, boolean bf16) {

        /** Row-major values of the compute type. */
        static Operand floats(MemorySegment data, long batchStride) {
            return new Operand(data, false, batchStride, false);
        }

        /**
         * A 2-D bfloat16 weight stored row- or column-major, read in place; null when the tensor is
         * not one (then it goes through {@link #of}, widened to float32).
         */
        static Operand ofBf16Weight(Tensor w) {
            if (w.dtype() != DType.BF16 || w.dim() != 2 || !(rowMajor(w) || columnMajor(w))) return null;
            return new Operand(w.segment().asSlice(w.offset() * DType.BF16.byteSize()), !rowMajor(w), 0, true);
        }

        static Operand of(Tensor x, int[] batchShape, DType type) {
            Tensor t = x.detach();
            if (t.dtype() != type) t = t.to(type);
            if (!rowMajor(t) && !columnMajor(t)) t = t.contiguous();
            long stride = batchStride(t, batchShape);
            if (stride < 0) {
                t = t.contiguous();
                stride = batchStride(t, batchShape);
            }
            if (stride < 0) {
                // a partly broadcast batch (e.g. [2,1] against [1,3]): one stride cannot describe it
                t = t.expand(append(batchShape, t.size(-2), t.size(-1))).contiguous();
                stride = (long) t.size(-2) * t.size(-1);
            }
            boolean trans = !rowMajor(t);
            MemorySegment data = t.segment().asSlice(t.offset() * type.byteSize());
            return new Operand(data, trans, stride, false);
        }

        /** Row-major matrices whose rows also follow each other across the batch. */
        boolean rowsFlatten(int rows, int cols) {
            return !trans && batchStride == (long) rows * cols;
        }

        private static boolean rowMajor(Tensor t) {
            int rows = t.size(-2), cols = t.size(-1);
            return (cols == 1 || t.stride(-1) == 1) && (rows == 1 || t.stride(-2) == cols);
        }

        private static boolean columnMajor(Tensor t) {
            int rows = t.size(-2), cols = t.size(-1);
            return (rows == 1 || t.stride(-2) == 1) && (cols == 1 || t.stride(-1) == rows);
        }

        /** The one element stride between consecutive batch entries after broadcasting, or -1 if there is none. */
        private static long batchStride(Tensor t, int[] batchShape) {
            int lead = batchShape.length - (t.dim() - 2);
            long stride = -1, inner = 1;
            for (int d = batchShape.length - 1; d >= 0; d--) {
                if (batchShape[d] == 1) continue;
                int src = d - lead;
                long step = src < 0 || t.size(src) == 1 ? 0 : t.stride(src);
                if (stride < 0) stride = step;
                else if (step != stride * inner) return -1;
                inner *= batchShape[d];
            }
            return Math.max(stride, 0);
        }
    }

    // ---------------------------------------------------------------- shapes

    private static int[] leading(int[] shape) {
        return Arrays.copyOf(shape, shape.length - 2);
    }

    private static int[] append(int[] batch, int rows, int cols) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }
}
