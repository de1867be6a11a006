package dev.fusedit.tornado;

import dev.fusedit.tensor.kernels.AttentionShape;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Attention forward and backward on the device ({@link AttentionKernel}). Every call sends its
 * inputs and brings back its outputs. The backward graph runs two tasks in order: dq (which also
 * leaves delta = Σ dOut·out per row on the device) and then dk/dv, which reads delta there.
 */
final class DeviceAttention {
    private static final String FORWARD = "forward", QUERIES = "dq", KEYS = "dkdv";

    private final PlanCache plans;
    private final DeviceContext device;

    DeviceAttention(PlanCache plans, DeviceContext device) {
        this.plans = plans;
        this.device = device;
    }

    /** Element counts of one call's tensors, checked against the segments. */
    private record Sizes(long q, long kv, long mask, long rows) {
        static Sizes of(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask) {
            long qe = (long) s.batch() * s.qLen() * s.heads() * s.headDim();
            long kve = (long) s.batch() * s.kvLen() * s.kvHeads() * s.headDim();
            long me = mask == null || s.maskBatches() == 0 ? 0 : (long) s.maskBatches() * s.qLen() * s.kvLen();
            Staging.requireFloats(q, qe, "attention q");
            Staging.requireFloats(k, kve, "attention k");
            Staging.requireFloats(v, kve, "attention v");
            if (me > 0) Staging.requireFloats(mask, me, "attention mask [maskBatches, qLen, kvLen]");
            return new Sizes(qe, kve, me, (long) s.batch() * s.heads() * s.qLen());
        }

        String key() {
            return Staging.sizeClass(q, "attention q") + "/" + Staging.sizeClass(kv, "attention k/v") + "/"
                    + Staging.sizeClass(mask, "attention mask") + "/" + Staging.sizeClass(rows, "attention rows");
        }
    }

    void forward(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                 MemorySegment out, MemorySegment lse) {
        Sizes n = Sizes.of(s, q, k, v, mask);
        Staging.requireFloats(out, n.q, "attention out");
        Staging.requireFloats(lse, n.rows, "attention lse");
        if (n.rows == 0) return;
        DevicePlan plan = plans.get("attention/" + n.key(), name -> {
            IntArray dims = new IntArray(AttentionKernel.DIMS);
            FloatArray scalars = new FloatArray(AttentionKernel.SCALARS);
            FloatArray qa = floats(n.q), ka = floats(n.kv), va = floats(n.kv), ma = floats(n.mask), oa = floats(n.q), la = floats(n.rows);
            TaskGraph graph = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, scalars, qa, ka, va, ma)
                    .task(FORWARD, AttentionKernel::forward, new KernelContext(), dims, scalars, qa, ka, va, ma, oa, la)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, oa, la);
            return new DevicePlan(graph, Map.of(FORWARD, DevicePlan.oneDimensional()), dims, scalars,
                    new FloatArray[] {qa, ka, va, ma, oa, la}, device);
        });
        FloatArray[] arr = plan.arrays;
        stageInputs(plan, s, n, q, k, v, mask);
        plan.size1D(FORWARD, n.rows);
        plan.execute();
        Staging.copyOut(arr[4], n.q, out);
        Staging.copyOut(arr[5], n.rows, lse);
    }

    void backward(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                  MemorySegment out, MemorySegment lse, MemorySegment dOut, MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        Sizes n = Sizes.of(s, q, k, v, mask);
        Staging.requireFloats(out, n.q, "attention out");
        Staging.requireFloats(lse, n.rows, "attention lse");
        Staging.requireFloats(dOut, n.q, "attention dOut");
        Staging.requireFloats(dq, n.q, "attention dq");
        Staging.requireFloats(dk, n.kv, "attention dk");
        Staging.requireFloats(dv, n.kv, "attention dv");
        if (n.rows == 0 || n.kv == 0) {
            dk.asSlice(0, n.kv * Float.BYTES).fill((byte) 0);
            dv.asSlice(0, n.kv * Float.BYTES).fill((byte) 0);
            dq.asSlice(0, n.q * Float.BYTES).fill((byte) 0);
            return;
        }
        DevicePlan plan = plans.get("attentionBackward/" + n.key(), name -> {
            IntArray dims = new IntArray(AttentionKernel.DIMS);
            FloatArray scalars = new FloatArray(AttentionKernel.SCALARS);
            FloatArray qa = floats(n.q), ka = floats(n.kv), va = floats(n.kv), ma = floats(n.mask), oa = floats(n.q), la = floats(n.rows),
                    dOa = floats(n.q), dqa = floats(n.q), delta = floats(n.rows), dka = floats(n.kv), dva = floats(n.kv);
            TaskGraph graph = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, scalars, qa, ka, va, ma, oa, la, dOa)
                    .task(QUERIES, AttentionKernel::backwardQueries, new KernelContext(), dims, scalars, qa, ka, va, ma, oa, la, dOa, dqa, delta)
                    .task(KEYS, AttentionKernel::backwardKeys, new KernelContext(), dims, scalars, qa, ka, va, ma, la, dOa, delta, dka, dva)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, dqa, dka, dva);
            return new DevicePlan(graph, Map.of(QUERIES, DevicePlan.oneDimensional(), KEYS, DevicePlan.oneDimensional()), dims, scalars,
                    new FloatArray[] {qa, ka, va, ma, oa, la, dOa, dqa, delta, dka, dva}, device);
        });
        FloatArray[] arr = plan.arrays;
        stageInputs(plan, s, n, q, k, v, mask);
        Staging.copyIn(out, n.q, arr[4]);
        Staging.copyIn(lse, n.rows, arr[5]);
        Staging.copyIn(dOut, n.q, arr[6]);
        plan.size1D(QUERIES, n.rows);
        plan.size1D(KEYS, (long) s.batch() * s.kvLen() * s.kvHeads());
        plan.execute();
        Staging.copyOut(arr[7], n.q, dq);
        Staging.copyOut(arr[9], n.kv, dk);
        Staging.copyOut(arr[10], n.kv, dv);
    }

    private static FloatArray floats(long elements) {
        return new FloatArray(Staging.sizeClass(elements, "attention"));
    }

    /** q, k, v, mask into arrays 0..3, and the shape into dims and scalars. */
    private static void stageInputs(DevicePlan plan, AttentionShape s, Sizes n, MemorySegment q, MemorySegment k, MemorySegment v,
                                    MemorySegment mask) {
        Staging.copyIn(q, n.q, plan.arrays[0]);
        Staging.copyIn(k, n.kv, plan.arrays[1]);
        Staging.copyIn(v, n.kv, plan.arrays[2]);
        if (n.mask > 0) Staging.copyIn(mask, n.mask, plan.arrays[3]);
        AttentionKernel.setShape(plan.dims, plan.scalars, s, n.mask > 0);
    }
}
