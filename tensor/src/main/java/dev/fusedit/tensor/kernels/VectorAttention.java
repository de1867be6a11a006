package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;

final class VectorAttention {
    private final KernelPool pool;
    VectorAttention(KernelPool pool) { this.pool = pool; }
    void forward(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask, MemorySegment out, MemorySegment lse) {
        ScalarKernels.F32.attention(s, q, k, v, mask, out, lse);
    }
    void backward(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask, MemorySegment out,
                  MemorySegment lse, MemorySegment dOut, MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        ScalarKernels.F32.attentionBackward(s, q, k, v, mask, out, lse, dOut, dq, dk, dv);
    }
}
