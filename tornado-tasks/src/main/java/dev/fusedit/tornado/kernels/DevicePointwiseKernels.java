package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.RopeShape;
import uk.ac.manchester.tornado.api.KernelContext;

import java.lang.foreign.MemorySegment;

/** RoPE and GeGLU (forward and backward) on the device ({@link PointwiseKernels}); every call sends its inputs and brings back its outputs. */
record DevicePointwiseKernels(Launcher launcher) {

    /** One work-item per rotated pair. */
    void rope(RopeShape s, MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out, boolean inverse) {
        long n = (long) s.batch() * s.seq() * s.heads() * s.headDim();
        long cs = (long) s.cosBatches() * s.seq() * s.headDim();
        launcher.call("rope")
                .in("rope x", x, n).in("rope cos", cos, cs).in("rope sin", sin, cs).out("rope out", out, n)
                .dims(PointwiseKernels.ROPE_DIMS, d -> PointwiseKernels.setRopeShape(d, s, inverse))
                .task(n / 2, (graph, id, dims, scalars, a) -> graph.task(id, PointwiseKernels::rope, new KernelContext(), dims, a[0], a[1], a[2], a[3]))
                .run();
    }

    void geglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        launcher.call("geglu")
                .in("geglu gate", gate, n).in("geglu up", up, n).out("geglu out", out, n)
                .dims(PointwiseKernels.COUNT_DIMS, d -> d.set(PointwiseKernels.COUNT, (int) n))
                .task(n, (graph, id, dims, scalars, a) -> graph.task(id, PointwiseKernels::geglu, new KernelContext(), dims, a[0], a[1], a[2]))
                .run();
    }

    void gegluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp) {
        launcher.call("gegluBackward")
                .in("geglu gate", gate, n).in("geglu up", up, n).in("geglu dOut", dOut, n).out("geglu dGate", dGate, n).out("geglu dUp", dUp, n)
                .dims(PointwiseKernels.COUNT_DIMS, d -> d.set(PointwiseKernels.COUNT, (int) n))
                .task(n, (graph, id, dims, scalars, a) ->
                        graph.task(id, PointwiseKernels::gegluBackward, new KernelContext(), dims, a[0], a[1], a[2], a[3], a[4]))
                .run();
    }
}
