package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The CPU provider: Vector API loops at {@link VectorWidth#F}, parallel on one {@link KernelPool}.
 * Each kernel family lives in its own class (forward and backward side by side); this class only
 * routes to them.
 */
public final class VectorKernels implements Kernels {
    private final KernelPool pool;
    private final VectorGemm gemm;
    private final VectorAttention attention;
    private final VectorRowKernels rows;
    private final VectorPointwiseKernels pointwise;
    private final VectorOptimizerKernels optimizer;

    public VectorKernels(KernelPool pool) {
        this.pool = pool;
        this.gemm = new VectorGemm(pool);
        this.attention = new VectorAttention(pool);
        this.rows = new VectorRowKernels(pool);
        this.pointwise = new VectorPointwiseKernels(pool);
        this.optimizer = new VectorOptimizerKernels(pool);
    }

    @Override
    public KernelPool cpuPool() {
        return pool;
    }

    @Override
    public String name() {
        return "vector-" + VectorWidth.describe() + "-x" + pool.threads();
    }

    @Override
    public void matmul(MatmulShape shape, MemorySegment a, MemorySegment b, MemorySegment c) {
        gemm.matmul(shape, a, b, c);
    }

    @Override
    public void matmulBf16Weights(MatmulShape shape, MemorySegment a, MemorySegment bBf16, MemorySegment c) {
        gemm.matmulBf16Weights(shape, a, bBf16, c);
    }

    @Override
    public void attention(AttentionShape shape, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                          MemorySegment out, MemorySegment lse) {
        attention.forward(shape, q, k, v, mask, out, lse);
    }

    @Override
    public void attentionBackward(AttentionShape shape, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                                  MemorySegment out, MemorySegment lse, MemorySegment dOut,
                                  MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        attention.backward(shape, q, k, v, mask, out, lse, dOut, dq, dk, dv);
    }

    @Override
    public void rope(RopeShape shape, MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out, boolean inverse) {
        pointwise.rope(shape, x, cos, sin, out, inverse);
    }

    @Override
    public void rmsNorm(int rowCount, int dim, float eps, float weightOffset, MemorySegment x, MemorySegment w,
                        MemorySegment out, MemorySegment rstd) {
        rows.rmsNorm(rowCount, dim, eps, weightOffset, x, w, out, rstd);
    }

    @Override
    public void rmsNormBackward(int rowCount, int dim, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment rstd,
                                MemorySegment dOut, MemorySegment dx, MemorySegment dw) {
        rows.rmsNormBackward(rowCount, dim, weightOffset, x, w, rstd, dOut, dx, dw);
    }

    @Override
    public void geglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        pointwise.geglu(n, gate, up, out);
    }

    @Override
    public void gegluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp) {
        pointwise.gegluBackward(n, gate, up, dOut, dGate, dUp);
    }

    @Override
    public void softmax(int rowCount, int cols, MemorySegment x, MemorySegment out) {
        rows.softmax(rowCount, cols, x, out);
    }

    @Override
    public void softmaxBackward(int rowCount, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        rows.softmaxBackward(rowCount, cols, y, dy, dx);
    }

    @Override
    public void adamw(long n, AdamWStep step, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v) {
        optimizer.adamw(n, step, param, grad, m, v);
    }

    @Override
    public double sumOfSquares(long n, MemorySegment x) {
        return optimizer.sumOfSquares(n, x);
    }

    @Override
    public void scale(long n, float c, MemorySegment x) {
        optimizer.scale(n, c, x);
    }

    @Override
    public void emaUpdate(long n, float decay, MemorySegment ema, MemorySegment param) {
        optimizer.emaUpdate(n, decay, ema, param);
    }
}
