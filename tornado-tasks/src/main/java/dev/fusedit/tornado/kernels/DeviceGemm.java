package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.MatmulShape;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Batched matmul on the device ({@link GemmKernel}). With float32 B, A, B and C travel on every
 * call. With a frozen bfloat16 B (a weight), B is sent once, on the first call of its plan, and
 * stays on the device: later calls send only A (and C when accumulating) and bring back C. One
 * plan serves one weight and one size class of A and C; each such plan holds its own device copy
 * of the weight (the host copy, widened to float32 once, is shared).
 */
record DeviceGemm(Launcher launcher, ResidentWeights weights) {

    void matmul(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c) {
        Extents x = Extents.of(s, a, b, ValueLayout.JAVA_FLOAT, c);
        if (x.c == 0 || emptyInner(s, c)) return;
        launch(launcher.call("matmul").in("matmul A", a, x.a).in("matmul B", b, x.b), s, c, x);
    }

    void matmulBf16Weights(MatmulShape s, MemorySegment a, MemorySegment bBf16, MemorySegment c) {
        Extents x = Extents.of(s, a, bBf16, ValueLayout.JAVA_SHORT, c);
        if (x.c == 0 || emptyInner(s, c)) return;
        ResidentWeights.Resident resident = weights.of(bBf16.asSlice(0, x.b * Short.BYTES));
        launch(launcher.call(resident.keyPrefix() + "matmul").in("matmul A", a, x.a).resident(resident.values()), s, c, x);
    }

    /** k = 0: C is a sum of nothing, so it is zero (or left as is when accumulating); no device needed. */
    private static boolean emptyInner(MatmulShape s, MemorySegment c) {
        if (s.k() != 0) return false;
        if (!s.accumulate())
            for (int bt = 0; bt < s.batch(); bt++) c.asSlice(bt * s.strideC() * Float.BYTES, (long) s.m() * s.n() * Float.BYTES).fill((byte) 0);
        return true;
    }

    /** Elements each operand spans, checked against the segments (IllegalArgumentException names the short one). */
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

    /** C sent with every call (its values copied in only when accumulating) and its matrices brought back; A and B declared by the caller. */
    private static void launch(Launcher.Call call, MatmulShape s, MemorySegment c, Extents x) {
        call.inOut("matmul C", c, x.c, s.accumulate(), (staged, elements, dst) -> copyMatrices(staged, s, dst))
                .dims(GemmKernel.DIMS, d -> GemmKernel.setShape(d, s))
                .task3D(GemmKernel.TILE, GemmKernel.TILE, s.n(), s.m(), s.batch(),
                        (graph, id, dims, scalars, arrays) -> graph.task(id, GemmKernel::matmul, new KernelContext(), dims, arrays[0], arrays[1], arrays[2]))
                .run();
    }

    /** Only C's matrices come back: elements between batches are not the product's to write. */
    private static void copyMatrices(FloatArray staged, MatmulShape s, MemorySegment c) {
        long block = (long) s.m() * s.n() * Float.BYTES;
        for (int bt = 0; bt < s.batch(); bt++) {
            long at = bt * s.strideC() * Float.BYTES;
            MemorySegment.copy(staged.getSegment(), at, c, at, block);
        }
    }
}
