package dev.fusedit.tornado.kernels;

import dev.fusedit.tornado.DeviceContext;
import uk.ac.manchester.tornado.api.AbstractWorkerGrid;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid3D;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One compiled task graph together with the host arrays it is bound to. TornadoVM binds a graph
 * to array objects when it is built, so a plan owns its staging arrays: {@link Launcher} copies
 * the caller's segments in, sets {@link #dims} (and {@link #scalars}), sizes the grids,
 * {@link #execute()}s, and copies the outputs back. The graph is compiled on the first execution;
 * later ones only transfer and launch. Arrays the graph sends with {@code FIRST_EXECUTION}
 * (resident weights) stay on the device for the plan's life.
 *
 * <p>Its static part (the work-group shapes, the OpenCL flags, freeing a plan) is shared with the
 * whole-model plan ({@link dev.fusedit.tornado.plan}).
 */
public final class DevicePlan implements AutoCloseable {
    /**
     * OpenCL build flags: TornadoVM's default adds -cl-fast-relaxed-math, which lets the compiler
     * reassociate (z + mask) − max into z + (mask − max) and assume no infinities; attention rows
     * whose keys are all masked then come out as if unmasked. These flags keep IEEE semantics.
     */
    public static final String OPENCL_FLAGS = "-cl-mad-enable -w";

    /** Work-items per group of the one-dimensional kernels. */
    static final int GROUP = 64;

    final IntArray dims;
    final FloatArray scalars;
    final FloatArray[] arrays;
    private final Map<String, AbstractWorkerGrid> grids;
    private final TornadoExecutionPlan plan;
    private final DeviceContext context;

    /**
     * @param graph the task graph, already holding its tasks and transfers
     * @param grids task name (without the graph name) → the grid that launches it
     */
    DevicePlan(TaskGraph graph, Map<String, AbstractWorkerGrid> grids, IntArray dims, FloatArray scalars, FloatArray[] arrays, DeviceContext context) {
        this.dims = dims;
        this.scalars = scalars;
        this.arrays = arrays;
        this.grids = new LinkedHashMap<>(grids);
        GridScheduler scheduler = new GridScheduler();
        for (var e : this.grids.entrySet()) scheduler.addWorkerGrid(graph.getTaskGraphName() + "." + e.getKey(), e.getValue());
        ImmutableTaskGraph snapshot = graph.snapshot();
        this.context = context;
        TornadoExecutionPlan built = new TornadoExecutionPlan(snapshot).withDevice(context.device()).withGridScheduler(scheduler)
                .withCompilerFlags(TornadoVMBackendType.OPENCL, OPENCL_FLAGS);
        this.plan = context.profile() ? built.withProfiler(ProfilerMode.SILENT) : built;
    }

    /** A one-dimensional grid in work-groups of {@link #GROUP}; set its size with {@link #setGlobal1D}. */
    public static AbstractWorkerGrid oneDimensional() {
        WorkerGrid1D grid = new WorkerGrid1D(GROUP);
        grid.setLocalWork(GROUP, 1, 1);
        return grid;
    }

    /** A 3-D grid in work-groups of localX × localY × 1; set its size with {@link #setGlobal3D}. */
    public static AbstractWorkerGrid threeDimensional(int localX, int localY) {
        WorkerGrid3D grid = new WorkerGrid3D(localX, localY, 1);
        grid.setLocalWork(localX, localY, 1);
        return grid;
    }

    /** Launches {@code task} over at least {@code workItems} work-items, in whole groups of {@link #GROUP}. */
    void size1D(String task, long workItems) {
        setGlobal1D(grids.get(task), workItems);
    }

    /** Sets a one-dimensional grid's global size to at least {@code workItems}, in whole groups of {@link #GROUP}. */
    public static void setGlobal1D(AbstractWorkerGrid grid, long workItems) {
        grid.setGlobalWork(roundUp(workItems, GROUP), 1, 1);
    }

    /** Launches {@code task} over a 3-D grid whose x and y are rounded up to whole groups. */
    void size3D(String task, long x, long y, long z) {
        setGlobal3D(grids.get(task), x, y, z);
    }

    /** Sets a 3-D grid's global size: x and y rounded up to whole groups. */
    public static void setGlobal3D(AbstractWorkerGrid grid, long x, long y, long z) {
        long[] local = grid.getLocalWork();
        grid.setGlobalWork(roundUp(x, local[0]), roundUp(y, local[1]), Math.max(1, z));
    }

    private static long roundUp(long n, long multiple) {
        return Math.max(multiple, (n + multiple - 1) / multiple * multiple);
    }

    /**
     * Runs the graph. A plan whose run failed keeps what it holds on the device: freeing it right
     * after an out-of-memory failure makes TornadoVM 5.2.0 fail again ("trying to deallocate an
     * invalid buffer"); it is freed with the other plans on {@link TornadoKernels#close()}.
     */
    void execute() {
        TornadoExecutionResult result = plan.execute();
        if (context.profile()) {
            context.lastKernelNanos().set(result.getProfilerResult().getDeviceKernelTime());
            context.bytesToDevice().addAndGet(result.getProfilerResult().getTotalBytesCopyIn());
            context.bytesToHost().addAndGet(result.getProfilerResult().getTotalBytesCopyOut());
        }
    }

    @Override
    public void close() {
        free(plan, "a plan");
    }

    /** Closes {@code plan}, turning TornadoVM's checked failure into one naming {@code what}. */
    public static void free(TornadoExecutionPlan plan, String what) {
        try {
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("TornadoVM could not free the device memory of " + what + ": " + e.getMessage(), e);
        }
    }
}
