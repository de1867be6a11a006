package dev.fusedit.tornado;

import dev.fusedit.tensor.kernels.MatmulShape;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * Batched matmul on the device ({@link GemmKernel}). With float32 B, A, B and C travel on every
 * call. With a frozen bfloat16 B (a weight), B is sent once, on the first call of its plan, and
 * stays on the device: later calls send only A (and C when accumulating) and bring back C. One
 * plan serves one weight and one size class of A and C; each such plan holds its own device copy
 * of the weight (the host copy, widened to float32 once, is shared).
 */
final class DeviceGemm {
    private static final String TASK = "gemm";

    private final PlanCache plans;
    private final ResidentWeights weights;
    private final DeviceContext device;

    DeviceGemm(PlanCache plans, DeviceContext device) {
        this.plans = plans;
        this.weights = new ResidentWeights(plans);
        this.device = device;
    }

    void matmul(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c) {
        Extents x = Extents.of(s, a, b, ValueLayout.JAVA_FLOAT, c);
        if (x.c == 0 || emptyInner(s, c)) return;
        String key = "matmul/" + Staging.sizeClass(x.a, "matmul A") + "/" + Staging.sizeClass(x.b, "matmul B") + "/" + Staging.sizeClass(x.c, "matmul C");
        DevicePlan plan = plans.get(key, name -> build(name, new FloatArray(Staging.sizeClass(x.b, "matmul B")),
                (int) x.a, (int) x.c, DataTransferMode.EVERY_EXECUTION));
        Staging.copyIn(b, x.b, plan.arrays[1]);
        run(plan, s, a, c, x);
    }

    void matmulBf16Weights(MatmulShape s, MemorySegment a, MemorySegment bBf16, MemorySegment c) {
        Extents x = Extents.of(s, a, bBf16, ValueLayout.JAVA_SHORT, c);
        if (x.c == 0 || emptyInner(s, c)) return;
        MemorySegment weight = bBf16.asSlice(0, x.b * Short.BYTES);
        ResidentWeights.Resident resident = weights.of(weight);
        String key = resident.keyPrefix() + Staging.sizeClass(x.a, "matmul A") + "/" + Staging.sizeClass(x.c, "matmul C");
        DevicePlan plan = plans.get(key, name -> build(name, resident.values(), (int) x.a, (int) x.c, DataTransferMode.FIRST_EXECUTION));
        run(plan, s, a, c, x);
    }

    /** k = 0: C is a sum of nothing, so it is zero (or left as is when accumulating); no device needed. */
    private static boolean emptyInner(MatmulShape s, MemorySegment c) {
        if (s.k() != 0) return false;
        if (!s.accumulate())
            for (int bt = 0; bt < s.batch(); bt++) c.asSlice(bt * s.strideC() * Float.BYTES, (long) s.m() * s.n() * Float.BYTES).fill((byte) 0);
        return true;
    }

    /** ElementAccess each operand spans, checked against the segments (IllegalArgumentException names the short one). */
    private record Extents(long a, long b, long c) {
        static Extents of(MatmulShape s, MemorySegment a, MemorySegment b, ValueLayout bLayout, MemorySegment c) {
            long ea = Staging.batchedExtent(s.batch(), s.strideA(), (long) s.m() * s.k());
            long eb = Staging.batchedExtent(s.batch(), s.strideB(), (long) s.k() * s.n());
            long ec = Staging.batchedExtent(s.batch(), s.strideC(), (long) s.m() * s.n());
            Staging.requireFloats(a, ea, "matmul A");
            Staging.requireElements(b, eb, bLayout, "matmul B");
            Staging.requireFloats(c, ec, "matmul C");
            return new Extents(ea, eb, ec);
        }
    }

    /** A plan of one GEMM task; B is sent with {@code bTransfer} (every execution, or only the first). */
    private DevicePlan build(String name, FloatArray b, int aElements, int cElements, int bTransfer) {
        IntArray dims = new IntArray(GemmKernel.DIMS);
        FloatArray a = new FloatArray(Staging.sizeClass(aElements, "matmul A"));
        FloatArray c = new FloatArray(Staging.sizeClass(cElements, "matmul C"));
        TaskGraph graph = new TaskGraph(name)
                .transferToDevice(bTransfer, b)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, a, c)
                .task(TASK, GemmKernel::matmul, new KernelContext(), dims, a, b, c)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, c);
        return new DevicePlan(graph, Map.of(TASK, DevicePlan.threeDimensional(GemmKernel.TILE, GemmKernel.TILE)),
                dims, null, new FloatArray[] {a, b, c}, device);
    }

    private static void run(DevicePlan plan, MatmulShape s, MemorySegment a, MemorySegment c, Extents x) {
        FloatArray stagedA = plan.arrays[0], stagedC = plan.arrays[2];
        Staging.copyIn(a, x.a, stagedA);
        if (s.accumulate()) Staging.copyIn(c, x.c, stagedC);
        GemmKernel.setShape(plan.dims, s);
        plan.size3D(TASK, s.n(), s.m(), s.batch());
        plan.execute();
        // Only C's matrices come back: elements between batches are not the product's to write.
        long block = (long) s.m() * s.n() * Float.BYTES;
        for (int bt = 0; bt < s.batch(); bt++) {
            long at = bt * s.strideC() * Float.BYTES;
            MemorySegment.copy(stagedC.getSegment(), at, c, at, block);
        }
    }
}
