package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;

final class VectorRowKernels {
    private final KernelPool pool;
    private final Kernels ref = ScalarKernels.F32;
    VectorRowKernels(KernelPool pool) { this.pool = pool; }
    void rope(RopeShape s, MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out, boolean inverse) { ref.rope(s, x, cos, sin, out, inverse); }
    void rmsNorm(int rows, int dim, float eps, float wo, MemorySegment x, MemorySegment w, MemorySegment out, MemorySegment rstd) { ref.rmsNorm(rows, dim, eps, wo, x, w, out, rstd); }
    void rmsNormBackward(int rows, int dim, float wo, MemorySegment x, MemorySegment w, MemorySegment rstd, MemorySegment dOut, MemorySegment dx, MemorySegment dw) { ref.rmsNormBackward(rows, dim, wo, x, w, rstd, dOut, dx, dw); }
    void geglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) { ref.geglu(n, gate, up, out); }
    void gegluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp) { ref.gegluBackward(n, gate, up, dOut, dGate, dUp); }
    void softmax(int rows, int cols, MemorySegment x, MemorySegment out) { ref.softmax(rows, cols, x, out); }
    void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) { ref.softmaxBackward(rows, cols, y, dy, dx); }
    void adamw(long n, AdamWStep st, MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v) { ref.adamw(n, st, p, g, m, v); }
}
