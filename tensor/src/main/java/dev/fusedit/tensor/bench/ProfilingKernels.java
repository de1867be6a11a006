package dev.fusedit.tensor.bench;

import dev.fusedit.tensor.kernels.AdamWStep;
import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.RopeShape;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;

/**
 * Passes every call on to another provider and keeps, per kernel, the calls, the wall time they
 * took and the FLOPs of the compute-bound ones (matrix products and attention; the others are
 * bound by memory and count none). A benchmark runs a real step once under it to split the step's
 * time into kernels and the rest (autograd, copies, allocation: the time between kernel calls),
 * and to compare the step with the time its arithmetic needs at the GEMM's rate (its floor).
 * Attention's backward counts {@link AttentionShape#backwardFlops()}. Kernel calls are timed on
 * the calling thread, so use it from one thread at a time.
 */
public final class ProfilingKernels implements Kernels {
    private final Kernels inner;
    private final Map<String, Entry> byKernel = new TreeMap<>();
    private final Map<String, Entry> byMatmulShape = new TreeMap<>();
    private volatile boolean recording = true;

    /** One kernel's totals. */
    public static final class Entry {
        long calls;
        long nanos;
        double flops;

        public long calls() { return calls; }
        public double seconds() { return nanos / 1e9; }
        public double flops() { return flops; }
    }

    public ProfilingKernels(Kernels inner) {
        this.inner = inner;
    }

    /** Totals by kernel name (matmul, attention, attentionBackward, rmsNorm, ...). */
    public Map<String, Entry> byKernel() {
        return byKernel;
    }

    /** The matmul calls by shape ("batch x m x k x n", op(A)/op(B) transposed or not), to see which products are slow. */
    public Map<String, Entry> byMatmulShape() {
        return byMatmulShape;
    }

    /** Forgets what was recorded so far (e.g. at the start of the step to profile). */
    public void reset() {
        byKernel.clear();
        byMatmulShape.clear();
        recording = true;
    }

    /** Stops recording; later calls pass through uncounted (e.g. after the step to profile). */
    public void stop() {
        recording = false;
    }

    /** FLOPs of all calls so far. */
    public double flops() {
        return byKernel.values().stream().mapToDouble(e -> e.flops).sum();
    }

    /** Wall seconds spent inside kernels so far. */
    public double kernelSeconds() {
        return byKernel.values().stream().mapToLong(e -> e.nanos).sum() / 1e9;
    }

    private void time(String kernel, double flops, Runnable call) {
        time(byKernel, kernel, flops, call);
    }

    private void time(Map<String, Entry> into, String key, double flops, Runnable call) {
        if (!recording) {
            call.run();
            return;
        }
        long t0 = System.nanoTime();
        call.run();
        Entry e = into.computeIfAbsent(key, k -> new Entry());
        e.nanos += System.nanoTime() - t0;
        e.calls++;
        e.flops += flops;
    }

    private static String key(MatmulShape s) {
        return s.batch() + " x " + s.m() + " x " + s.k() + " x " + s.n() + (s.transA() ? " At" : "") + (s.transB() ? " Bt" : "");
    }

    @Override
    public String name() {
        return inner.name() + "+profile";
    }

    @Override
    public KernelPool cpuPool() {
        return inner.cpuPool();
    }

    @Override
    public void matmul(MatmulShape shape, MemorySegment a, MemorySegment b, MemorySegment c) {
        time("matmul", shape.flops(), () -> time(byMatmulShape, key(shape), shape.flops(), () -> inner.matmul(shape, a, b, c)));
    }

    @Override
    public void matmulBf16Weights(MatmulShape shape, MemorySegment a, MemorySegment bBf16, MemorySegment c) {
        time("matmulBf16Weights", shape.flops(), () -> inner.matmulBf16Weights(shape, a, bBf16, c));
    }

    @Override
    public void attention(AttentionShape shape, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                          MemorySegment out, MemorySegment lse) {
        time("attention", shape.flops(), () -> inner.attention(shape, q, k, v, mask, out, lse));
    }

    @Override
    public void attentionBackward(AttentionShape shape, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                                  MemorySegment out, MemorySegment lse, MemorySegment dOut,
                                  MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        time("attentionBackward", shape.backwardFlops(), () -> inner.attentionBackward(shape, q, k, v, mask, out, lse, dOut, dq, dk, dv));
    }

    @Override
    public void rope(RopeShape shape, MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out, boolean inverse) {
        time("rope", 0, () -> inner.rope(shape, x, cos, sin, out, inverse));
    }

    @Override
    public void rmsNorm(int rows, int dim, float eps, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment out, MemorySegment rstd) {
        time("rmsNorm", 0, () -> inner.rmsNorm(rows, dim, eps, weightOffset, x, w, out, rstd));
    }

    @Override
    public void rmsNormBackward(int rows, int dim, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment rstd,
                                MemorySegment dOut, MemorySegment dx, MemorySegment dw) {
        time("rmsNormBackward", 0, () -> inner.rmsNormBackward(rows, dim, weightOffset, x, w, rstd, dOut, dx, dw));
    }

    @Override
    public void geglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        time("geglu", 0, () -> inner.geglu(n, gate, up, out));
    }

    @Override
    public void gegluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp) {
        time("gegluBackward", 0, () -> inner.gegluBackward(n, gate, up, dOut, dGate, dUp));
    }

    @Override
    public void softmax(int rows, int cols, MemorySegment x, MemorySegment out) {
        time("softmax", 0, () -> inner.softmax(rows, cols, x, out));
    }

    @Override
    public void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        time("softmaxBackward", 0, () -> inner.softmaxBackward(rows, cols, y, dy, dx));
    }

    @Override
    public void adamw(long n, AdamWStep step, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v) {
        time("adamw", 0, () -> inner.adamw(n, step, param, grad, m, v));
    }

    @Override
    public double sumOfSquares(long n, MemorySegment x) {
        double[] out = new double[1];
        time("sumOfSquares", 0, () -> out[0] = inner.sumOfSquares(n, x));
        return out[0];
    }

    @Override
    public void scale(long n, float c, MemorySegment x) {
        time("scale", 0, () -> inner.scale(n, c, x));
    }

    @Override
    public void emaUpdate(long n, float decay, MemorySegment ema, MemorySegment param) {
        time("emaUpdate", 0, () -> inner.emaUpdate(n, decay, ema, param));
    }
}
