package dev.fusedit.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;

import java.lang.foreign.MemorySegment;

/**
 * RMSNorm and softmax, forward and backward, on the device ({@link RowKernels}). Every call sends
 * its inputs and brings back its outputs; an accumulated weight gradient is sent too. An absent
 * RMSNorm weight (or weight gradient) travels as an unused array.
 */
record DeviceRowKernels(Launcher launcher) {

    void rmsNorm(int rows, int dim, float eps, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment out, MemorySegment rstd) {
        long n = (long) rows * dim;
        launcher.call("rmsNorm")
                .in("rmsNorm x", x, n).inIfPresent("rmsNorm weight", w, dim).out("rmsNorm out", out, n).out("rmsNorm rstd", rstd, rows)
                .dims(RowKernels.DIMS, d -> RowKernels.setShape(d, rows, dim, w != null, false))
                .scalars(RowKernels.SCALARS, s -> RowKernels.setNormScalars(s, eps, weightOffset))
                .task(rows, (graph, id, dims, scalars, a) -> graph.task(id, RowKernels::rmsNorm, new KernelContext(), dims, scalars, a[0], a[1], a[2], a[3]))
                .run();
    }

    /** dx from the rows (one work-item each), then dw += from the columns (one work-item each; nothing without a weight gradient). */
    void rmsNormBackward(int rows, int dim, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment rstd,
                         MemorySegment dOut, MemorySegment dx, MemorySegment dw) {
        long n = (long) rows * dim;
        boolean weightGrad = w != null && dw != null;
        // arrays: x 0, w 1, rstd 2, dOut 3, dx 4, dw 5
        launcher.call("rmsNormBackward")
                .in("rmsNorm x", x, n).inIfPresent("rmsNorm weight", w, dim).in("rmsNorm rstd", rstd, rows).in("rmsNorm dOut", dOut, n)
                .out("rmsNorm dx", dx, n).inOutIfPresent("rmsNorm dw", weightGrad ? dw : null, dim)
                .dims(RowKernels.DIMS, d -> RowKernels.setShape(d, rows, dim, w != null, weightGrad))
                .scalars(RowKernels.SCALARS, s -> s.set(RowKernels.WEIGHT_OFFSET, weightOffset))
                .task(rows, (graph, id, dims, scalars, a) ->
                        graph.task(id, RowKernels::rmsNormBackwardInput, new KernelContext(), dims, scalars, a[0], a[1], a[2], a[3], a[4]))
                .task(dim, (graph, id, dims, scalars, a) ->
                        graph.task(id, RowKernels::rmsNormBackwardWeight, new KernelContext(), dims, a[0], a[2], a[3], a[5]))
                .run();
    }

    void softmax(int rows, int cols, MemorySegment x, MemorySegment out) {
        long n = (long) rows * cols;
        launcher.call("softmax")
                .in("softmax x", x, n).out("softmax out", out, n)
                .dims(RowKernels.DIMS, d -> RowKernels.setShape(d, rows, cols, false, false))
                .task(rows, (graph, id, dims, scalars, a) -> graph.task(id, RowKernels::softmax, new KernelContext(), dims, a[0], a[1]))
                .run();
    }

    void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        long n = (long) rows * cols;
        launcher.call("softmaxBackward")
                .in("softmax y", y, n).in("softmax dy", dy, n).out("softmax dx", dx, n)
                .dims(RowKernels.DIMS, d -> RowKernels.setShape(d, rows, cols, false, false))
                .task(rows, (graph, id, dims, scalars, a) -> graph.task(id, RowKernels::softmaxBackward, new KernelContext(), dims, a[0], a[1], a[2]))
                .run();
    }
}
