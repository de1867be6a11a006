package dev.fusedit.tornado.plan;

import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.RopeShape;
import dev.fusedit.tornado.kernels.AttentionKernel;
import dev.fusedit.tornado.kernels.DevicePlan;
import dev.fusedit.tornado.kernels.GemmKernel;
import dev.fusedit.tornado.kernels.PointwiseKernels;
import dev.fusedit.tornado.kernels.RowKernels;
import uk.ac.manchester.tornado.api.AbstractWorkerGrid;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One task graph of a multi-graph plan, built from the device kernels with every shape fixed:
 * each method appends one task (in order; the device runs them in that order) and its grid, and
 * sends the task's dims and scalars once ({@code FIRST_EXECUTION}). Arrays that a task only
 * reads and that never change (weights) are declared with {@link #resident}; per-execution inputs
 * with {@link #everyExecution}; what other graphs of the plan hand over with
 * {@link #consume}/{@link #persist}.
 */
final class TaskGraphBuilder {
    private final TaskGraph graph;
    private final Map<String, AbstractWorkerGrid> grids = new LinkedHashMap<>();

    TaskGraphBuilder(String name) {
        graph = new TaskGraph(name);
    }

    String name() {
        return graph.getTaskGraphName();
    }

    TaskGraph graph() {
        return graph;
    }

    /** Sent on the graph's first execution only, then read from the device copy. */
    TaskGraphBuilder resident(Object... arrays) {
        graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, arrays);
        return this;
    }

    /** Sent on every execution of this graph. */
    TaskGraphBuilder everyExecution(Object... arrays) {
        graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, arrays);
        return this;
    }

    /** Arrays that graph {@code producer} left on the device (it must have run just before this one at least once). */
    TaskGraphBuilder consume(String producer, Object... arrays) {
        graph.consumeFromDevice(producer, arrays);
        return this;
    }

    /** Arrays left on the device for the graphs that consume them. */
    TaskGraphBuilder persist(Object... arrays) {
        graph.persistOnDevice(arrays);
        return this;
    }

    /** Brought back to the host after every execution. */
    TaskGraphBuilder toHost(Object... arrays) {
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, arrays);
        return this;
    }

    /** Tasks (kernel launches) per execution. */
    int taskCount() {
        return grids.size();
    }

    /** Registers this graph's grids under their full task names. */
    void addGridsTo(GridScheduler scheduler) {
        for (var e : grids.entrySet()) scheduler.addWorkerGrid(name() + "." + e.getKey(), e.getValue());
    }

    private String nextTask(AbstractWorkerGrid grid) {
        String task = "t" + grids.size();
        grids.put(task, grid);
        return task;
    }

    private String oneDimensional(long workItems) {
        AbstractWorkerGrid grid = DevicePlan.oneDimensional();
        DevicePlan.setGlobal1D(grid, workItems);
        return nextTask(grid);
    }

    private IntArray dims(int slots) {
        IntArray d = new IntArray(slots);
        resident(d);
        return d;
    }

    private FloatArray scalars(int slots) {
        FloatArray s = new FloatArray(slots);
        resident(s);
        return s;
    }

    void matmul(MatmulShape s, FloatArray a, FloatArray b, FloatArray c) {
        IntArray d = dims(GemmKernel.DIMS);
        GemmKernel.setShape(d, s);
        AbstractWorkerGrid grid = DevicePlan.threeDimensional(GemmKernel.TILE, GemmKernel.TILE);
        DevicePlan.setGlobal3D(grid, s.n(), s.m(), s.batch());
        graph.task(nextTask(grid), GemmKernel::matmul, new KernelContext(), d, a, b, c);
    }

    /** y [rows, out] = x [rows, in] · wᵀ for a weight w [out, in] (torch's Linear layout, without bias). */
    void linear(int rows, int in, int out, FloatArray x, FloatArray w, FloatArray y) {
        matmul(new MatmulShape(1, rows, out, in, false, true, (long) rows * in, (long) out * in, (long) rows * out, false), x, w, y);
    }

    void rmsNorm(int rows, int dim, float eps, float weightOffset, FloatArray x, FloatArray w, FloatArray out, FloatArray rstd) {
        IntArray d = dims(RowKernels.DIMS);
        RowKernels.setShape(d, rows, dim, true, false);
        FloatArray s = scalars(RowKernels.SCALARS);
        RowKernels.setNormScalars(s, eps, weightOffset);
        graph.task(oneDimensional(rows), RowKernels::rmsNorm, new KernelContext(), d, s, x, w, out, rstd);
    }

    void rope(RopeShape shape, FloatArray x, FloatArray cos, FloatArray sin, FloatArray out) {
        IntArray d = dims(PointwiseKernels.ROPE_DIMS);
        long pairs = PointwiseKernels.setRopeShape(d, shape, false);
        graph.task(oneDimensional(pairs), PointwiseKernels::rope, new KernelContext(), d, x, cos, sin, out);
    }

    void attention(AttentionShape shape, FloatArray q, FloatArray k, FloatArray v, FloatArray mask, FloatArray out, FloatArray lse) {
        IntArray d = dims(AttentionKernel.DIMS);
        FloatArray s = scalars(AttentionKernel.SCALARS);
        AttentionKernel.setDims(d, shape, shape.maskBatches() > 0);
        AttentionKernel.setScalars(s, shape);
        graph.task(oneDimensional((long) shape.batch() * shape.heads() * shape.qLen()), AttentionKernel::forward,
                new KernelContext(), d, s, q, k, v, mask, out, lse);
    }

    void geglu(int n, FloatArray gate, FloatArray up, FloatArray out) {
        IntArray d = dims(PointwiseKernels.COUNT_DIMS);
        d.set(PointwiseKernels.COUNT, n);
        graph.task(oneDimensional(n), PointwiseKernels::geglu, new KernelContext(), d, gate, up, out);
    }

    /** x [rows, width] += v [width] per row (a bias). */
    void addRowVector(int rows, int width, FloatArray x, FloatArray v) {
        IntArray d = dims(PointwiseKernels.ROW_VECTOR_DIMS);
        d.set(PointwiseKernels.COUNT, Math.multiplyExact(rows, width));
        d.set(PointwiseKernels.WIDTH, width);
        graph.task(oneDimensional((long) rows * width), PointwiseKernels::addRowVector, new KernelContext(), d, x, v);
    }

    /** x += y over n elements (a residual). */
    void addInto(int n, FloatArray x, FloatArray y) {
        IntArray d = dims(PointwiseKernels.COUNT_DIMS);
        d.set(PointwiseKernels.COUNT, n);
        graph.task(oneDimensional(n), PointwiseKernels::addInto, new KernelContext(), d, x, y);
    }

    /** src [batch, srcRows, width] into rows dstOffset.. of dst [batch, dstRows, width]. */
    void copyRows(int batch, int srcRows, int dstRows, int dstOffset, int width, FloatArray src, FloatArray dst) {
        IntArray d = dims(PointwiseKernels.COPY_DIMS);
        int n = Math.multiplyExact(Math.multiplyExact(batch, srcRows), width);
        d.set(PointwiseKernels.COUNT, n);
        d.set(PointwiseKernels.WIDTH, width);
        d.set(PointwiseKernels.SRC_ROWS, srcRows);
        d.set(PointwiseKernels.DST_ROWS, dstRows);
        d.set(PointwiseKernels.DST_ROW_OFFSET, dstOffset);
        graph.task(oneDimensional(n), PointwiseKernels::copyRows, new KernelContext(), d, src, dst);
    }
}
