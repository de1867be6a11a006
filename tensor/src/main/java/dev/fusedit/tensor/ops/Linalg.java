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
        Operand oa = Operand.of(a, batchShape, type), ob = Operand.of(b, batchShape, type);

        Tensor out = Tensor.zeros(type, append(batchShape, m, n));
        Kernels kernels = KernelDispatch.kernels(type);
        if (batch > 1 && ob.batchStride == 0 && oa.rowsFlatten(m, k)) {
            // a weight times a stack of row-major matrices is one tall product
            kernels.matmul(new MatmulShape(1, Math.multiplyExact(batch, m), n, k, false, ob.trans, 0, 0, 0, false), oa.data, ob.data, out.data());
        } else {
            kernels.matmul(new MatmulShape(batch, m, n, k, oa.trans, ob.trans, oa.batchStride, ob.batchStride, (long) m * n, false),
                    oa.data, ob.data, out.data());
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

    // ---------------------------------------------------------------- backward

    /**
     * dA = dC·Bᵀ per batch, computed in A's own layout (so a transposed A gets a transposed
     * gradient), summed down to A's shape; for an A shared across the batch the sum happens in
     * the kernel's accumulation.
     */
    private static Tensor gradA(Tensor g, int[] aShape, Operand oa, Operand ob, int[] batchShape, int m, int n, int k, DType type) {
        int batch = Math.toIntExact(Tensor.numel(batchShape));
        MemorySegment dC = KernelDispatch.data(g, type);
        Kernels kernels = KernelDispatch.kernels(type);
        boolean summed = batch > 1 && oa.batchStride == 0 && Tensor.numel(leading(aShape)) == 1;
        Tensor grad;
        if (!oa.trans && !summed && batch > 1 && ob.batchStride == 0) {
            // dC is a contiguous stack of rows: one tall product against the shared B
            grad = Tensor.zeros(type, append(batchShape, m, k));
            kernels.matmul(new MatmulShape(1, Math.multiplyExact(batch, m), k, n, false, !ob.trans, 0, 0, 0, false), dC, ob.data, grad.data());
        } else if (!oa.trans) {
            grad = products(kernels, type, batchShape, summed, m, k, n, false, dC, (long) m * n, !ob.trans, ob.data, ob.batchStride);
        } else {
            grad = products(kernels, type, batchShape, summed, k, m, n, ob.trans, ob.data, ob.batchStride, true, dC, (long) m * n)
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
            grad = products(kernels, type, batchShape, summed, k, n, m, !oa.trans, oa.data, oa.batchStride, false, dC, (long) m * n);
        } else {
            grad = products(kernels, type, batchShape, summed, n, k, m, true, dC, (long) m * n, oa.trans, oa.data, oa.batchStride)
                    .transpose(-1, -2);
        }
        return summed ? grad.reshape(bShape) : Reduce.sumToShape(grad, bShape);
    }

    /**
     * op(X)·op(Y) for every batch entry (X's entry b at b·strideX, Y's at b·strideY): a stack
     * [batch..., M, N], or when summed one [M, N] matrix that accumulates the entries, call after
     * call (the gradient of an operand shared across the batch, without a batch-sized buffer).
     */
    private static Tensor products(Kernels kernels, DType type, int[] batchShape, boolean summed, int M, int N, int K,
                                   boolean transX, MemorySegment x, long strideX, boolean transY, MemorySegment y, long strideY) {
        int batch = Math.toIntExact(Tensor.numel(batchShape));
        if (!summed) {
            Tensor c = Tensor.zeros(type, append(batchShape, M, N));
            kernels.matmul(new MatmulShape(batch, M, N, K, transX, transY, strideX, strideY, (long) M * N, false), x, y, c.data());
            return c;
        }
        Tensor c = Tensor.zeros(type, M, N);
        long bytes = type.byteSize();
        for (int b = 0; b < batch; b++)
            kernels.matmul(new MatmulShape(1, M, N, K, transX, transY, 0, 0, 0, b > 0),
                    x.asSlice(b * strideX * bytes), y.asSlice(b * strideY * bytes), c.data());
        return c;
    }

    // ---------------------------------------------------------------- operand layout

    /**
     * One operand as the kernel reads it: a stack of matrices, each row-major or (trans) stored
     * transposed with no padding, batch b starting at b·batchStride elements of data.
     */
    private record Operand(MemorySegment data, boolean trans, long batchStride) {

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
            return new Operand(data, trans, stride);
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
