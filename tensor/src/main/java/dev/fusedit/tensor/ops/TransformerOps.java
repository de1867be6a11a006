package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.ElementAccess;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.Autograd;
import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.RopeShape;
import dev.fusedit.tensor.kernels.ScalarKernels;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The transformer's neural-network ops, forward and backward: softmax, log-softmax, GELU,
 * GeGLU, RMSNorm, rotary embedding, attention and embedding lookup. The fused ones run on the
 * active kernels ({@link KernelDispatch}); the backward passes use the kernels' own backward.
 * Convolution-side ops (conv2d, group norm, upsampling) are in {@link Conv}.
 */
public final class TransformerOps {
    private TransformerOps() {}

    // ---------------------------------------------------------------- softmax

    /** Softmax over dimension {@code dim} (max-subtracted, so large logits do not overflow). */
    public static Tensor softmax(Tensor x, int dim) {
        KernelDispatch.requireFloating(x, "softmax input");
        int axis = x.axis(dim);
        DType type = KernelDispatch.computeType(x);
        Tensor rowsX = toLast(x, axis, type);
        int cols = x.size(axis), rows = rowCount(x, cols);
        Tensor y = Tensor.empty(type, rowsX.shape());
        KernelDispatch.kernels(type).softmax(rows, cols, rowsX.data(), y.data());
        return Autograd.record(fromLast(y, axis), "softmax", g -> {
            Tensor dy = toLast(g, axis, type);
            Tensor dx = Tensor.empty(type, dy.shape());
            KernelDispatch.kernels(type).softmaxBackward(rows, cols, y.data(), dy.data(), dx.data());
            return new Tensor[] {fromLast(dx, axis)};
        }, x);
    }

    /** log(softmax(x)) over {@code dim}, computed as x − max − log Σ exp(x − max) so tiny probabilities keep their precision. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        KernelDispatch.requireFloating(x, "logSoftmax input");
        int axis = x.axis(dim);
        DType type = KernelDispatch.computeType(x);
        boolean f64 = type == DType.F64;
        Tensor rowsX = toLast(x, axis, type);
        int cols = x.size(axis), rows = rowCount(x, cols);
        Tensor y = Tensor.zeros(type, rowsX.shape());
        MemorySegment xs = rowsX.data(), ys = y.data();
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, KernelDispatch.get(xs, f64, base + c));
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.exp(KernelDispatch.get(xs, f64, base + c) - max);
            double lse = max + Math.log(sum);
            for (int c = 0; c < cols; c++) KernelDispatch.set(ys, f64, base + c, KernelDispatch.get(xs, f64, base + c) - lse);
        }
        return Autograd.record(fromLast(y, axis), "log_softmax", g -> {
            // dx = dy − softmax · Σ dy, with softmax = exp(y)
            Tensor dy = toLast(g, axis, type);
            Tensor dx = Tensor.zeros(type, dy.shape());
            MemorySegment dys = dy.data(), dxs = dx.data();
            for (int r = 0; r < rows; r++) {
                long base = (long) r * cols;
                double sum = 0;
                for (int c = 0; c < cols; c++) sum += KernelDispatch.get(dys, f64, base + c);
                for (int c = 0; c < cols; c++)
                    KernelDispatch.set(dxs, f64, base + c, KernelDispatch.get(dys, f64, base + c) - Math.exp(KernelDispatch.get(ys, f64, base + c)) * sum);
            }
            return new Tensor[] {fromLast(dx, axis)};
        }, x);
    }

    /**
     * Mean cross-entropy of logits [N, V] against class indices {@code targets} (length N; a
     * negative target is ignored, as PyTorch's ignore_index): −Σ log softmax(x)[n, t_n] / count.
     * Built from {@link #logSoftmax} and a constant selection tensor, so its gradient is that of
     * log-softmax (softmax − one-hot, over count). An all-ignored batch gives 0.
     */
    public static Tensor crossEntropy(Tensor logits, long[] targets) {
        if (logits.dim() != 2) throw new IllegalArgumentException("cross-entropy logits must be [N, V], got " + Arrays.toString(logits.shape()));
        int n = logits.size(0), vocab = logits.size(1);
        if (targets.length != n)
            throw new IllegalArgumentException("cross-entropy needs one target per row: " + n + " rows, " + targets.length + " targets");
        long count = Arrays.stream(targets).filter(t -> t >= 0).count();
        Tensor pick = Tensor.zeros(KernelDispatch.computeType(logits), n, vocab);
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0) continue;
            if (targets[i] >= vocab)
                throw new IllegalArgumentException("cross-entropy target " + targets[i] + " at row " + i + " is outside the " + vocab + " classes");
            pick.set(-1.0 / count, i, (int) targets[i]);
        }
        return Reduce.sum(Pointwise.mul(logSoftmax(logits, -1), pick));
    }

    /** {@code x} with dimension {@code axis} moved last (by swapping it with the last), contiguous and unrecorded. */
    private static Tensor toLast(Tensor x, int axis, DType type) {
        Tensor d = x.detach();
        return KernelDispatch.prepared(axis == d.dim() - 1 ? d : d.transpose(axis, -1), type);
    }

    private static Tensor fromLast(Tensor rows, int axis) {
        return axis == rows.dim() - 1 ? rows : rows.transpose(axis, -1).contiguous().detach();
    }

    private static int rowCount(Tensor x, int cols) {
        return cols == 0 ? 0 : Math.toIntExact(x.numel() / cols);
    }

    // ---------------------------------------------------------------- GELU, GeGLU

    /** GELU with the tanh approximation (PyTorch's approximate="tanh", Gemma's hidden activation). */
    public static Tensor geluTanh(Tensor x) {
        KernelDispatch.requireFloating(x, "gelu input");
        Tensor out = Pointwise.map(x, ScalarKernels::geluTanh);
        return Autograd.record(out, "gelu_tanh", g -> new Tensor[] {Pointwise.mul(g, Pointwise.map(x, ScalarKernels::geluTanhGrad))}, x);
    }

    /** Exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)) (PyTorch's default nn.GELU). */
    public static Tensor geluExact(Tensor x) {
        KernelDispatch.requireFloating(x, "gelu input");
        Tensor out = Pointwise.map(x, TransformerOps::geluExactValue);
        return Autograd.record(out, "gelu", g -> new Tensor[] {Pointwise.mul(g, Pointwise.map(x, TransformerOps::geluExactGrad))}, x);
    }

    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    static double geluExactValue(double x) {
        return 0.5 * x * (1 + Erf.erf(x * INV_SQRT2));
    }

    /** d/dx x·Φ(x) = Φ(x) + x·φ(x). */
    static double geluExactGrad(double x) {
        return 0.5 * (1 + Erf.erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    /** GeGLU: gelu_tanh(gate) · up, elementwise on two tensors of one shape (the MLP's gated product). */
    public static Tensor geglu(Tensor gate, Tensor up) {
        KernelDispatch.requireFloating(gate, "geglu gate");
        KernelDispatch.requireFloating(up, "geglu up");
        if (!Arrays.equals(gate.shape(), up.shape()))
            throw new IllegalArgumentException("geglu needs gate and up of one shape, got " + Arrays.toString(gate.shape()) + " and " + Arrays.toString(up.shape()));
        DType type = KernelDispatch.computeType(gate, up);
        Tensor g0 = KernelDispatch.prepared(gate, type), u0 = KernelDispatch.prepared(up, type);
        long n = gate.numel();
        Tensor out = Tensor.empty(type, gate.shape());
        KernelDispatch.kernels(type).geglu(n, g0.data(), u0.data(), out.data());
        return Autograd.record(out, "geglu", g -> {
            Tensor dGate = Tensor.empty(type, gate.shape()), dUp = Tensor.empty(type, gate.shape());
            KernelDispatch.kernels(type).gegluBackward(n, g0.data(), u0.data(), KernelDispatch.data(g, type), dGate.data(), dUp.data());
            return new Tensor[] {dGate, dUp};
        }, gate, up);
    }

    // ---------------------------------------------------------------- RMSNorm

    /**
     * RMSNorm over the last dimension: x · rsqrt(mean(x²) + eps) · (weightOffset + w); w is
     * [lastDim] or null. Gemma stores w − 1 and uses weightOffset = 1.
     */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps, double weightOffset) {
        KernelDispatch.requireFloating(x, "rmsNorm input");
        KernelDispatch.requireFloating(weight, "rmsNorm weight");
        if (x.dim() == 0) throw new IllegalArgumentException("rmsNorm needs at least one dimension");
        int dim = x.size(-1);
        if (weight != null && (weight.dim() != 1 || weight.size(0) != dim))
            throw new IllegalArgumentException("rmsNorm weight must be [" + dim + "], got " + Arrays.toString(weight.shape()));
        DType type = KernelDispatch.computeType(x, weight);
        int rows = rowCount(x, dim);
        Tensor x0 = KernelDispatch.prepared(x, type), w0 = KernelDispatch.prepared(weight, type);
        MemorySegment ws = w0 == null ? null : w0.data();
        Tensor out = Tensor.empty(type, x.shape()), rstd = Tensor.empty(type, rows);
        KernelDispatch.kernels(type).rmsNorm(rows, dim, (float) eps, (float) weightOffset, x0.data(), ws, out.data(), rstd.data());
        return Autograd.record(out, "rms_norm", g -> {
            Tensor dx = Tensor.empty(type, x.shape());
            Tensor dw = weight != null && weight.requiresGrad() ? Tensor.zeros(type, dim) : null;
            KernelDispatch.kernels(type).rmsNormBackward(rows, dim, (float) weightOffset, x0.data(), ws, rstd.data(),
                    KernelDispatch.data(g, type), dx.data(), dw == null ? null : dw.data());
            return new Tensor[] {dx, dw};
        }, x, weight);
    }

    // ---------------------------------------------------------------- RoPE

    /**
     * Rotary position embedding (rotate-half layout) of x [batch, seq, heads, headDim] with cos and
     * sin [1 or batch, seq, headDim]. cos and sin are constants (no gradient) and must repeat
     * their first half in the second, as they do when built from cat(freqs, freqs): only then is
     * the inverse rotation the exact backward.
     */
    public static Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        KernelDispatch.requireFloating(x, "rope input");
        KernelDispatch.requireFloating(cos, "rope cos");
        KernelDispatch.requireFloating(sin, "rope sin");
        if (x.dim() != 4) throw new IllegalArgumentException("rope input must be [batch, seq, heads, headDim], got " + Arrays.toString(x.shape()));
        int batch = x.size(0), seq = x.size(1), heads = x.size(2), headDim = x.size(3);
        for (Tensor t : new Tensor[] {cos, sin}) {
            if (t.dim() != 3 || (t.size(0) != 1 && t.size(0) != batch) || t.size(1) != seq || t.size(2) != headDim)
                throw new IllegalArgumentException("rope cos/sin must be [1 or " + batch + ", " + seq + ", " + headDim + "], got " + Arrays.toString(t.shape()));
        }
        if (cos.size(0) != sin.size(0)) throw new IllegalArgumentException("rope cos and sin differ in batch: " + cos.size(0) + " vs " + sin.size(0));
        DType type = KernelDispatch.computeType(x, cos, sin);
        Tensor c0 = KernelDispatch.prepared(cos, type), s0 = KernelDispatch.prepared(sin, type);
        requireRepeatedHalves(c0, "cos");
        requireRepeatedHalves(s0, "sin");
        RopeShape shape = new RopeShape(batch, seq, heads, headDim, cos.size(0));
        Tensor out = Tensor.empty(type, x.shape());
        KernelDispatch.kernels(type).rope(shape, KernelDispatch.data(x, type), c0.data(), s0.data(), out.data(), false);
        return Autograd.record(out, "rope", g -> {
            Tensor dx = Tensor.empty(type, x.shape());
            KernelDispatch.kernels(type).rope(shape, KernelDispatch.data(g, type), c0.data(), s0.data(), dx.data(), true);
            return new Tensor[] {dx};
        }, x);
    }

    private static void requireRepeatedHalves(Tensor t, String what) {
        int d = t.size(-1), half = d / 2;
        if (d % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head_dim, got " + d);
        MemorySegment s = t.data();
        boolean f64 = t.dtype() == DType.F64;
        for (long row = 0, rows = t.numel() / Math.max(d, 1); row < rows; row++)
            for (int i = 0; i < half; i++)
                if (KernelDispatch.get(s, f64, row * d + i) != KernelDispatch.get(s, f64, row * d + i + half))
                    throw new IllegalArgumentException("rope " + what + " must repeat its first half in its second (cat(freqs, freqs)); row "
                            + row + " differs at " + i);
    }

    // ---------------------------------------------------------------- attention

    /**
     * Scaled-dot-product attention: q [batch, qLen, heads, headDim], k and v [batch, kvLen, kvHeads,
     * headDim] (grouped-query when kvHeads < heads), mask additive [1 or batch, qLen, kvLen] or null
     * (a constant), logits scale·q·k soft-capped by softCap·tanh(·/softCap) when softCap > 0.
     * Returns [batch, qLen, heads, headDim].
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, double softCap) {
        for (Tensor t : new Tensor[] {q, k, v, mask}) KernelDispatch.requireFloating(t, "attention operand");
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4)
            throw new IllegalArgumentException("attention needs 4-d q, k, v ([batch, len, heads, headDim]), got "
                    + Arrays.toString(q.shape()) + ", " + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
        int batch = q.size(0), qLen = q.size(1), heads = q.size(2), headDim = q.size(3);
        int kvLen = k.size(1), kvHeads = k.size(2);
        if (!Arrays.equals(k.shape(), v.shape()) || k.size(0) != batch || k.size(3) != headDim)
            throw new IllegalArgumentException("attention k and v must both be [" + batch + ", kvLen, kvHeads, " + headDim + "], got "
                    + Arrays.toString(k.shape()) + " and " + Arrays.toString(v.shape()));
        int maskBatches = 0;
        if (mask != null) {
            if (mask.dim() != 3 || (mask.size(0) != 1 && mask.size(0) != batch) || mask.size(1) != qLen || mask.size(2) != kvLen)
                throw new IllegalArgumentException("attention mask must be [1 or " + batch + ", " + qLen + ", " + kvLen + "], got " + Arrays.toString(mask.shape()));
            maskBatches = mask.size(0);
        }
        AttentionShape shape = new AttentionShape(batch, heads, kvHeads, qLen, kvLen, headDim, (float) scale, (float) softCap, maskBatches);
        DType type = KernelDispatch.computeType(q, k, v, mask);
        Tensor q0 = KernelDispatch.prepared(q, type), k0 = KernelDispatch.prepared(k, type), v0 = KernelDispatch.prepared(v, type);
        MemorySegment m0 = KernelDispatch.data(mask, type);
        Tensor out = Tensor.empty(type, q.shape()), lse = Tensor.empty(type, batch, heads, qLen);
        KernelDispatch.kernels(type).attention(shape, q0.data(), k0.data(), v0.data(), m0, out.data(), lse.data());
        return Autograd.record(out, "attention", g -> {
            Tensor dq = Tensor.empty(type, q.shape()), dk = Tensor.empty(type, k.shape()), dv = Tensor.empty(type, v.shape());
            KernelDispatch.kernels(type).attentionBackward(shape, q0.data(), k0.data(), v0.data(), m0, out.data(), lse.data(),
                    KernelDispatch.data(g, type), dq.data(), dk.data(), dv.data());
            return new Tensor[] {dq, dk, dv};
        }, q, k, v);
    }

    /** Attention with the usual scale 1/√headDim and no soft-cap. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask) {
        if (q.dim() != 4) throw new IllegalArgumentException("attention q must be [batch, qLen, heads, headDim], got " + Arrays.toString(q.shape()));
        return scaledDotProductAttention(q, k, v, mask, 1 / Math.sqrt(q.size(3)), 0);
    }

    // ---------------------------------------------------------------- embedding

    /** Rows of {@code table} [vocab, dim] picked by {@code ids} (I64 or I32, any shape): [..., dim]. */
    public static Tensor embedding(Tensor ids, Tensor table) {
        if (ids.dtype() != DType.I64 && ids.dtype() != DType.I32)
            throw new IllegalArgumentException("embedding ids must be I64 or I32, got " + ids.dtype());
        KernelDispatch.requireFloating(table, "embedding table");
        if (table.dim() != 2) throw new IllegalArgumentException("embedding table must be [vocab, dim], got " + Arrays.toString(table.shape()));
        int vocab = table.size(0), dim = table.size(1);
        double[] idValues = ids.toDoubleArray();
        int[] rowOf = new int[idValues.length];
        for (int i = 0; i < rowOf.length; i++) {
            double id = idValues[i];
            if (id < 0 || id >= vocab)
                throw new IllegalArgumentException("embedding id " + (long) id + " at position " + i + " is outside the vocabulary of size " + vocab);
            rowOf[i] = (int) id;
        }
        DType type = table.dtype().computeType();
        int[] outShape = Arrays.copyOf(ids.shape(), ids.dim() + 1);
        outShape[ids.dim()] = dim;
        Tensor out = Tensor.empty(type, outShape);
        MemorySegment os = out.data(), ts = table.segment();
        long rowStride = table.stride(0), colStride = table.stride(1), offset = table.offset();
        if (table.dtype() == type && colStride == 1) {
            long bytes = type.byteSize();
            for (int i = 0; i < rowOf.length; i++)
                MemorySegment.copy(ts, (offset + rowOf[i] * rowStride) * bytes, os, (long) i * dim * bytes, dim * bytes);
        } else {
            // a BF16/F16 or strided table: widen element by element rather than converting the whole vocabulary
            DType from = table.dtype();
            for (int i = 0; i < rowOf.length; i++) {
                long src = offset + rowOf[i] * rowStride;
                for (int d = 0; d < dim; d++)
                    ElementAccess.write(os, type, (long) i * dim + d, ElementAccess.read(ts, from, src + d * colStride));
            }
        }
        return Autograd.record(out, "embedding", g -> {
            // scatter-add: repeated ids accumulate
            Tensor dTable = Tensor.zeros(type, vocab, dim);
            MemorySegment gs = KernelDispatch.data(g, type), ds = dTable.data();
            boolean f64 = type == DType.F64;
            for (int i = 0; i < rowOf.length; i++) {
                long src = (long) i * dim, dst = (long) rowOf[i] * dim;
                for (int d = 0; d < dim; d++)
                    KernelDispatch.set(ds, f64, dst + d, KernelDispatch.get(ds, f64, dst + d) + KernelDispatch.get(gs, f64, src + d));
            }
            return new Tensor[] {dTable};
        }, table);
    }
}
