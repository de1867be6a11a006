package dev.fusedit.tornado.kernels;

import dev.fusedit.tornado.DeviceContext;
import uk.ac.manchester.tornado.api.AbstractWorkerGrid;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one launch sequence of the kernel-by-kernel path, which every device launcher
 * ({@link DeviceGemm}, {@link DeviceAttention}, {@link DeviceRowKernels},
 * {@link DevicePointwiseKernels}, {@link DeviceOptimizerKernels}) describes as a {@link Call}:
 * <pre>
 *   launcher.call("geglu")
 *           .in("geglu gate", gate, n).in("geglu up", up, n).out("geglu out", out, n)
 *           .dims(PointwiseKernels.COUNT_DIMS, d -&gt; d.set(PointwiseKernels.COUNT, (int) n))
 *           .task(n, (graph, id, dims, scalars, a) -&gt; graph.task(id, PointwiseKernels::geglu, new KernelContext(), dims, a[0], a[1], a[2]))
 *           .run();
 * </pre>
 * Each operand is checked against its segment as it is declared (an
 * {@link IllegalArgumentException} names the short one). {@link Call#run()} then looks up the
 * plan of the kernel and the operands' size classes, or builds it (a staging array per operand,
 * in declaration order; dims, scalars and inputs sent on every execution, resident arrays on the
 * first, outputs brought back), copies the inputs in, sets dims and scalars, sizes the grids,
 * launches, and only then copies the outputs out.
 */
final class Launcher {
    private final PlanCache plans;
    private final DeviceContext device;

    Launcher(PlanCache plans, DeviceContext device) {
        this.plans = plans;
        this.device = device;
    }

    /** A call of {@code kernel}, the start of its plan key (a resident weight's key prefix first, see {@link ResidentWeights}). */
    Call call(String kernel) {
        return new Call(kernel);
    }

    /** Adds one task to the graph being built, with the plan's dims, scalars (null when none) and operand arrays (in declaration order). */
    @FunctionalInterface
    interface TaskDeclaration {
        void add(TaskGraph graph, String id, IntArray dims, FloatArray scalars, FloatArray[] operands);
    }

    /** Copies an output's staged array (its first {@code elements}) to the caller's segment. */
    @FunctionalInterface
    interface CopyOut {
        void copy(FloatArray staged, long elements, MemorySegment segment);
    }

    /**
     * One operand: the caller's segment (null: none, the array still travels), its element count,
     * a given array (resident, sent on the first execution only) or null (a staging array of its
     * size class), whether it is sent and brought back, and whether the caller's values are copied
     * in before the launch and how they are copied out after it (null: not).
     */
    private record Operand(String what, MemorySegment segment, long elements, FloatArray given, boolean toDevice, boolean toHost,
                           boolean copyIn, CopyOut copyOut) {}

    private record Task(String id, long workItems, Supplier<AbstractWorkerGrid> grid, Consumer<DevicePlan> size, TaskDeclaration declaration) {}

    /** One kernel call, declared operand by operand, then {@link #run()}. */
    final class Call {
        private final String kernel;
        private final List<Operand> operands = new ArrayList<>();
        private final List<Task> tasks = new ArrayList<>();
        private int dimSlots, scalarSlots;
        private Consumer<IntArray> setDims = d -> { };
        private Consumer<FloatArray> setScalars = s -> { };

        private Call(String kernel) {
            this.kernel = kernel;
        }

        private Call add(Operand o) {
            operands.add(o);
            return this;
        }

        /** An input: sent on every launch. */
        Call in(String what, MemorySegment segment, long elements) {
            Staging.requireFloats(segment, elements, what);
            return add(new Operand(what, segment, elements, null, true, false, true, null));
        }

        /** An optional input (null: absent; its array travels unused). */
        Call inIfPresent(String what, MemorySegment segment, long elements) {
            if (segment != null) Staging.requireFloats(segment, elements, what);
            return add(new Operand(what, segment, elements, null, true, false, true, null));
        }

        /** An output: brought back, then copied to the segment. */
        Call out(String what, MemorySegment segment, long elements) {
            Staging.requireFloats(segment, elements, what);
            return add(new Operand(what, segment, elements, null, false, true, false, Staging::copyOut));
        }

        /** Read and written in place (AdamW's state, an accumulated gradient). */
        Call inOut(String what, MemorySegment segment, long elements) {
            Staging.requireFloats(segment, elements, what);
            return add(new Operand(what, segment, elements, null, true, true, true, Staging::copyOut));
        }

        /** An optional in-place operand (null: absent; its array travels unused). */
        Call inOutIfPresent(String what, MemorySegment segment, long elements) {
            if (segment != null) Staging.requireFloats(segment, elements, what);
            return add(new Operand(what, segment, elements, null, true, true, true, Staging::copyOut));
        }

        /**
         * Sent and brought back, with the caller's values copied in only when {@code copyIn} (one
         * plan serves both cases) and copied out by {@code copyOut} (a batched product's matrices).
         */
        Call inOut(String what, MemorySegment segment, long elements, boolean copyIn, CopyOut copyOut) {
            Staging.requireFloats(segment, elements, what);
            return add(new Operand(what, segment, elements, null, true, true, copyIn, copyOut));
        }

        /** Device memory between the tasks of one launch: never sent, never brought back. */
        Call scratch(String what, long elements) {
            return add(new Operand(what, null, elements, null, false, false, false, null));
        }

        /** Brought back for the caller to read from {@link #run()}'s arrays (partial sums). */
        Call result(String what, long elements) {
            return add(new Operand(what, null, elements, null, false, true, false, null));
        }

        /** An array the plan sends on its first execution only and then reads on the device (a frozen weight); the call's key must name it. */
        Call resident(FloatArray values) {
            return add(new Operand("resident", null, values.getSize(), values, false, false, false, null));
        }

        /** The kernel's int arguments: {@code slots} of them, set by {@code set} before every launch. */
        Call dims(int slots, Consumer<IntArray> set) {
            dimSlots = slots;
            setDims = set;
            return this;
        }

        /** The kernel's float arguments: {@code slots} of them, set by {@code set} before every launch. */
        Call scalars(int slots, Consumer<FloatArray> set) {
            scalarSlots = slots;
            setScalars = set;
            return this;
        }

        /** A task over at least {@code workItems} work-items in one dimension (whole groups of {@link DevicePlan#GROUP}). */
        Call task(long workItems, TaskDeclaration declaration) {
            String id = "t" + tasks.size();
            tasks.add(new Task(id, workItems, DevicePlan::oneDimensional, p -> p.size1D(id, workItems), declaration));
            return this;
        }

        /** A task over an x × y × z grid in work-groups of localX × localY × 1. */
        Call task3D(int localX, int localY, long x, long y, long z, TaskDeclaration declaration) {
            String id = "t" + tasks.size();
            tasks.add(new Task(id, x * y * z, () -> DevicePlan.threeDimensional(localX, localY), p -> p.size3D(id, x, y, z), declaration));
            return this;
        }

        /**
         * Launches, unless the first task has no work-items (then the outputs are empty and nothing
         * runs). Returns the plan's staging arrays in declaration order (for {@link #result}
         * operands), valid until the next call of this kernel; null when nothing ran.
         */
        FloatArray[] run() {
            if (tasks.getFirst().workItems() == 0) return null;
            StringBuilder key = new StringBuilder(kernel);
            for (Operand o : operands)
                if (o.given() == null) key.append('/').append(Staging.sizeClass(o.elements(), o.what()));
            DevicePlan plan = plans.get(key.toString(), this::build);
            for (int i = 0; i < operands.size(); i++) {
                Operand o = operands.get(i);
                if (o.copyIn() && o.segment() != null) Staging.copyIn(o.segment(), o.elements(), plan.arrays[i]);
            }
            setDims.accept(plan.dims);
            if (plan.scalars != null) setScalars.accept(plan.scalars);
            for (Task t : tasks) t.size().accept(plan);
            plan.execute();
            for (int i = 0; i < operands.size(); i++) {
                Operand o = operands.get(i);
                if (o.copyOut() != null && o.segment() != null) o.copyOut().copy(plan.arrays[i], o.elements(), o.segment());
            }
            return plan.arrays;
        }

        private DevicePlan build(String graphName) {
            IntArray dims = new IntArray(dimSlots);
            FloatArray scalars = scalarSlots > 0 ? new FloatArray(scalarSlots) : null;
            FloatArray[] arrays = new FloatArray[operands.size()];
            List<Object> sent = new ArrayList<>(List.of(dims)), resident = new ArrayList<>(), back = new ArrayList<>();
            if (scalars != null) sent.add(scalars);
            for (int i = 0; i < arrays.length; i++) {
                Operand o = operands.get(i);
                arrays[i] = o.given() != null ? o.given() : new FloatArray(Staging.sizeClass(o.elements(), o.what()));
                if (o.given() != null) resident.add(arrays[i]);
                if (o.toDevice()) sent.add(arrays[i]);
                if (o.toHost()) back.add(arrays[i]);
            }
            TaskGraph graph = new TaskGraph(graphName);
            if (!resident.isEmpty()) graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, resident.toArray());
            graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, sent.toArray());
            Map<String, AbstractWorkerGrid> grids = new LinkedHashMap<>();
            for (Task t : tasks) {
                t.declaration().add(graph, t.id(), dims, scalars, arrays);
                grids.put(t.id(), t.grid().get());
            }
            if (!back.isEmpty()) graph.transferToHost(DataTransferMode.EVERY_EXECUTION, back.toArray());
            return new DevicePlan(graph, grids, dims, scalars, arrays, device);
        }
    }
}
