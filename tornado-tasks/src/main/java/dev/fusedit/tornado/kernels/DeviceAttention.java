package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.AttentionShape;
import uk.ac.manchester.tornado.api.KernelContext;

import java.lang.foreign.MemorySegment;

/**
 * Attention forward and backward on the device ({@link AttentionKernel}). Every call sends its
 * inputs and brings back its outputs. The backward graph runs two tasks in order: dq (which also
 * leaves delta = Σ dOut·out per row on the device) and then dk/dv, which reads delta there.
 */
record DeviceAttention(Launcher launcher) {

    /** Element counts of one call's tensors (no mask: 0). */
    private record Sizes(long q, long kv, long mask, long rows) {
        static Sizes of(AttentionShape s, MemorySegment mask) {
            long qe = (long) s.batch() * s.qLen() * s.heads() * s.headDim();
            long kve = (long) s.batch() * s.kvLen() * s.kvHeads() * s.headDim();
            long me = mask == null || s.maskBatches() == 0 ? 0 : (long) s.maskBatches() * s.qLen() * s.kvLen();
            return new Sizes(qe, kve, me, (long) s.batch() * s.heads() * s.qLen());
        }
    }

    void forward(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                 MemorySegment out, MemorySegment lse) {
        Sizes n = Sizes.of(s, mask);
        inputs(launcher.call("attention"), s, n, q, k, v, mask)
                .out("attention out", out, n.q).out("attention lse", lse, n.rows)
                .task(n.rows, (graph, id, dims, scalars, a) ->
                        graph.task(id, AttentionKernel::forward, new KernelContext(), dims, scalars, a[0], a[1], a[2], a[3], a[4], a[5]))
                .run();
    }

    void backward(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                  MemorySegment out, MemorySegment lse, MemorySegment dOut, MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        Sizes n = Sizes.of(s, mask);
        Launcher.Call call = inputs(launcher.call("attentionBackward"), s, n, q, k, v, mask)
                .in("attention out", out, n.q).in("attention lse", lse, n.rows).in("attention dOut", dOut, n.q)
                .out("attention dq", dq, n.q).scratch("attention delta", n.rows).out("attention dk", dk, n.kv).out("attention dv", dv, n.kv);
        if (n.rows == 0 || n.kv == 0) {
            dk.asSlice(0, n.kv * Float.BYTES).fill((byte) 0);
            dv.asSlice(0, n.kv * Float.BYTES).fill((byte) 0);
            dq.asSlice(0, n.q * Float.BYTES).fill((byte) 0);
            return;
        }
        // arrays: q 0, k 1, v 2, mask 3, out 4, lse 5, dOut 6, dq 7, delta 8, dk 9, dv 10
        call.task(n.rows, (graph, id, dims, scalars, a) -> graph.task(id, AttentionKernel::backwardQueries, new KernelContext(),
                        dims, scalars, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]))
                .task((long) s.batch() * s.kvLen() * s.kvHeads(), (graph, id, dims, scalars, a) -> graph.task(id, AttentionKernel::backwardKeys,
                        new KernelContext(), dims, scalars, a[0], a[1], a[2], a[3], a[5], a[6], a[8], a[9], a[10]))
                .run();
    }

    /** q, k, v and the mask (when there is one), and the shape into dims and scalars. */
    private static Launcher.Call inputs(Launcher.Call call, AttentionShape s, Sizes n, MemorySegment q, MemorySegment k, MemorySegment v,
                                        MemorySegment mask) {
        return call.in("attention q", q, n.q).in("attention k", k, n.kv).in("attention v", v, n.kv)
                .inIfPresent("attention mask [maskBatches, qLen, kvLen]", n.mask > 0 ? mask : null, n.mask)
                .dims(AttentionKernel.DIMS, d -> AttentionKernel.setDims(d, s, n.mask > 0))
                .scalars(AttentionKernel.SCALARS, scalars -> AttentionKernel.setScalars(scalars, s));
    }
}
