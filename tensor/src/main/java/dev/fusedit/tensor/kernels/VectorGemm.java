package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;

final class VectorGemm {
    private final KernelPool pool;
    VectorGemm(KernelPool pool) { this.pool = pool; }
    void matmul(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c) { ScalarKernels.F32.matmul(s, a, b, c); }
}
