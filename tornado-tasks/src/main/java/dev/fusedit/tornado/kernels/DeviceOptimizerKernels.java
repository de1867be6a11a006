package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.AdamWStep;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.lang.foreign.MemorySegment;

/**
 * AdamW, the gradients' sum of squares and rescale, and the EMA update on the device
 * ({@link OptimizerKernels}). Every call sends its buffers and brings back what it updates in
 * place; the sum of squares brings back one partial sum per work-group and adds them on the host,
 * in order, in double (so the result does not depend on scheduling).
 */
record DeviceOptimizerKernels(Launcher launcher) {

    void adamw(long n, AdamWStep step, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v) {
        launcher.call("adamw")
                .inOut("adamw param", param, n).in("adamw grad", grad, n).inOut("adamw m", m, n).inOut("adamw v", v, n)
                .dims(OptimizerKernels.DIMS, d -> d.set(OptimizerKernels.COUNT, (int) n))
                .scalars(OptimizerKernels.ADAMW_SCALARS, s -> OptimizerKernels.setAdamWScalars(s, step))
                .task(n, (graph, id, dims, scalars, a) -> graph.task(id, OptimizerKernels::adamw, new KernelContext(), dims, scalars, a[0], a[1], a[2], a[3]))
                .run();
    }

    double sumOfSquares(long n, MemorySegment x) {
        long groups = (n + OptimizerKernels.GROUP - 1) / OptimizerKernels.GROUP;
        FloatArray[] staged = launcher.call("sumOfSquares")
                .in("sumOfSquares x", x, n).result("sumOfSquares partial sums", groups)
                .dims(OptimizerKernels.DIMS, d -> d.set(OptimizerKernels.COUNT, (int) n))
                .task(n, (graph, id, dims, scalars, a) -> graph.task(id, OptimizerKernels::sumOfSquares, new KernelContext(), dims, a[0], a[1]))
                .run();
        if (staged == null) return 0;
        double total = 0;
        for (int g = 0; g < groups; g++) total += staged[1].get(g);
        return total;
    }

    void scale(long n, float c, MemorySegment x) {
        launcher.call("scale")
                .inOut("scale x", x, n)
                .dims(OptimizerKernels.DIMS, d -> d.set(OptimizerKernels.COUNT, (int) n))
                .scalars(OptimizerKernels.SCALE_SCALARS, s -> s.set(OptimizerKernels.FACTOR, c))
                .task(n, (graph, id, dims, scalars, a) -> graph.task(id, OptimizerKernels::scale, new KernelContext(), dims, scalars, a[0]))
                .run();
    }

    void emaUpdate(long n, float decay, MemorySegment ema, MemorySegment param) {
        launcher.call("emaUpdate")
                .inOut("ema shadow", ema, n).in("ema param", param, n)
                .dims(OptimizerKernels.DIMS, d -> d.set(OptimizerKernels.COUNT, (int) n))
                .scalars(OptimizerKernels.EMA_SCALARS, s -> OptimizerKernels.setEmaScalars(s, decay))
                .task(n, (graph, id, dims, scalars, a) -> graph.task(id, OptimizerKernels::emaUpdate, new KernelContext(), dims, scalars, a[0], a[1]))
                .run();
    }
}
