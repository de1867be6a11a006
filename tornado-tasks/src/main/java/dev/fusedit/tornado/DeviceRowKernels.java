package dev.fusedit.tornado;

import dev.fusedit.tensor.kernels.AdamWStep;
import dev.fusedit.tensor.kernels.RopeShape;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * RoPE, RMSNorm, GeGLU, softmax and AdamW on the device ({@link RowKernels},
 * {@link PointwiseKernels}). Every call sends its inputs and brings back its outputs; outputs that
 * the kernel also reads (dw, AdamW's state) are sent too. Optional inputs that are absent (no
 * RMSNorm weight) travel as an unused array of the smallest size class.
 */
final class DeviceRowKernels {
    private static final String TASK = "t", WEIGHT_TASK = "dw";

    private final PlanCache plans;
    private final DeviceContext device;

    DeviceRowKernels(PlanCache plans, DeviceContext device) {
        this.plans = plans;
        this.device = device;
    }

    private static FloatArray floats(long elements, String what) {
        return new FloatArray(Staging.sizeClass(elements, what));
    }

    private static String classes(long... sizes) {
        StringBuilder key = new StringBuilder();
        for (long n : sizes) key.append('/').append(Staging.sizeClass(n, "operand"));
        return key.toString();
    }

    void rope(RopeShape s, MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out, boolean inverse) {
        long n = (long) s.batch() * s.seq() * s.heads() * s.headDim();
        long cs = (long) s.cosBatches() * s.seq() * s.headDim();
        Staging.requireFloats(x, n, "rope x");
        Staging.requireFloats(cos, cs, "rope cos");
        Staging.requireFloats(sin, cs, "rope sin");
        Staging.requireFloats(out, n, "rope out");
        if (n == 0) return;
        DevicePlan plan = plans.get("rope" + classes(n, cs), name -> {
            IntArray dims = new IntArray(PointwiseKernels.ROPE_DIMS);
            FloatArray xa = floats(n, "rope x"), ca = floats(cs, "rope cos"), sa = floats(cs, "rope sin"), oa = floats(n, "rope out");
            TaskGraph graph = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, xa, ca, sa)
                    .task(TASK, PointwiseKernels::rope, new KernelContext(), dims, xa, ca, sa, oa)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, oa);
            return plan(graph, dims, null, xa, ca, sa, oa);
        });
        Staging.copyIn(x, n, plan.arrays[0]);
        Staging.copyIn(cos, cs, plan.arrays[1]);
        Staging.copyIn(sin, cs, plan.arrays[2]);
        launch(plan, PointwiseKernels.setRopeShape(plan.dims, s, inverse));
        Staging.copyOut(plan.arrays[3], n, out);
    }

    void rmsNorm(int rows, int dim, float eps, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment out, MemorySegment rstd) {
        long n = (long) rows * dim;
        Staging.requireFloats(x, n, "rmsNorm x");
        if (w != null) Staging.requireFloats(w, dim, "rmsNorm weight");
        Staging.requireFloats(out, n, "rmsNorm out");
        Staging.requireFloats(rstd, rows, "rmsNorm rstd");
        if (rows == 0) return;
        DevicePlan plan = plans.get("rmsNorm" + classes(n, dim, rows), name -> {
            IntArray dims = new IntArray(RowKernels.DIMS);
            FloatArray scalars = new FloatArray(RowKernels.SCALARS);
            FloatArray xa = floats(n, "rmsNorm x"), wa = floats(dim, "rmsNorm weight"), oa = floats(n, "rmsNorm out"), ra = floats(rows, "rmsNorm rstd");
            TaskGraph graph = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, scalars, xa, wa)
                    .task(TASK, RowKernels::rmsNorm, new KernelContext(), dims, scalars, xa, wa, oa, ra)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, oa, ra);
            return plan(graph, dims, scalars, xa, wa, oa, ra);
        });
        Staging.copyIn(x, n, plan.arrays[0]);
        if (w != null) Staging.copyIn(w, dim, plan.arrays[1]);
        setRowDims(plan, rows, dim, w != null, false);
        RowKernels.setNormScalars(plan.scalars, eps, weightOffset);
        launch(plan, rows);
        Staging.copyOut(plan.arrays[2], n, out);
        Staging.copyOut(plan.arrays[3], rows, rstd);
    }

    void rmsNormBackward(int rows, int dim, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment rstd,
                         MemorySegment dOut, MemorySegment dx, MemorySegment dw) {
        long n = (long) rows * dim;
        Staging.requireFloats(x, n, "rmsNorm x");
        if (w != null) Staging.requireFloats(w, dim, "rmsNorm weight");
        Staging.requireFloats(rstd, rows, "rmsNorm rstd");
        Staging.requireFloats(dOut, n, "rmsNorm dOut");
        Staging.requireFloats(dx, n, "rmsNorm dx");
        boolean weightGrad = w != null && dw != null;
        if (weightGrad) Staging.requireFloats(dw, dim, "rmsNorm dw");
        if (rows == 0) return;
        DevicePlan plan = plans.get("rmsNormBackward" + classes(n, dim, rows), name -> {
            IntArray dims = new IntArray(RowKernels.DIMS);
            FloatArray scalars = new FloatArray(RowKernels.SCALARS);
            FloatArray xa = floats(n, "rmsNorm x"), wa = floats(dim, "rmsNorm weight"), ra = floats(rows, "rmsNorm rstd"),
                    ga = floats(n, "rmsNorm dOut"), dxa = floats(n, "rmsNorm dx"), dwa = floats(dim, "rmsNorm dw");
            TaskGraph graph = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, scalars, xa, wa, ra, ga, dwa)
                    .task(TASK, RowKernels::rmsNormBackwardInput, new KernelContext(), dims, scalars, xa, wa, ra, ga, dxa)
                    .task(WEIGHT_TASK, RowKernels::rmsNormBackwardWeight, new KernelContext(), dims, xa, ra, ga, dwa)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, dxa, dwa);
            return new DevicePlan(graph, Map.of(TASK, DevicePlan.oneDimensional(), WEIGHT_TASK, DevicePlan.oneDimensional()),
                    dims, scalars, new FloatArray[] {xa, wa, ra, ga, dxa, dwa}, device);
        });
        Staging.copyIn(x, n, plan.arrays[0]);
        if (w != null) Staging.copyIn(w, dim, plan.arrays[1]);
        Staging.copyIn(rstd, rows, plan.arrays[2]);
        Staging.copyIn(dOut, n, plan.arrays[3]);
        if (weightGrad) Staging.copyIn(dw, dim, plan.arrays[5]);
        setRowDims(plan, rows, dim, w != null, weightGrad);
        plan.scalars.set(RowKernels.WEIGHT_OFFSET, weightOffset);
        plan.size1D(TASK, rows);
        plan.size1D(WEIGHT_TASK, dim);
        plan.execute();
        Staging.copyOut(plan.arrays[4], n, dx);
        if (weightGrad) Staging.copyOut(plan.arrays[5], dim, dw);
    }

    void softmax(int rows, int cols, MemorySegment x, MemorySegment out) {
        long n = (long) rows * cols;
        Staging.requireFloats(x, n, "softmax x");
        Staging.requireFloats(out, n, "softmax out");
        if (n == 0) return;
        DevicePlan plan = plans.get("softmax" + classes(n), name -> {
            IntArray dims = new IntArray(RowKernels.DIMS);
            FloatArray xa = floats(n, "softmax x"), oa = floats(n, "softmax out");
            TaskGraph graph = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, xa)
                    .task(TASK, RowKernels::softmax, new KernelContext(), dims, xa, oa)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, oa);
            return plan(graph, dims, null, xa, oa);
        });
        Staging.copyIn(x, n, plan.arrays[0]);
        setRowDims(plan, rows, cols, false, false);
        launch(plan, rows);
        Staging.copyOut(plan.arrays[1], n, out);
    }

    void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        long n = (long) rows * cols;
        Staging.requireFloats(y, n, "softmax y");
        Staging.requireFloats(dy, n, "softmax dy");
        Staging.requireFloats(dx, n, "softmax dx");
        if (n == 0) return;
        DevicePlan plan = plans.get("softmaxBackward" + classes(n), name -> {
            IntArray dims = new IntArray(RowKernels.DIMS);
            FloatArray ya = floats(n, "softmax y"), ga = floats(n, "softmax dy"), dxa = floats(n, "softmax dx");
            TaskGraph graph = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, ya, ga)
                    .task(TASK, RowKernels::softmaxBackward, new KernelContext(), dims, ya, ga, dxa)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, dxa);
            return plan(graph, dims, null, ya, ga, dxa);
        });
        Staging.copyIn(y, n, plan.arrays[0]);
        Staging.copyIn(dy, n, plan.arrays[1]);
        setRowDims(plan, rows, cols, false, false);
        launch(plan, rows);
        Staging.copyOut(plan.arrays[2], n, dx);
    }

    void geglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        Staging.requireFloats(gate, n, "geglu gate");
        Staging.requireFloats(up, n, "geglu up");
        Staging.requireFloats(out, n, "geglu out");
        if (n == 0) return;
        DevicePlan plan = plans.get("geglu" + classes(n), name -> {
            IntArray dims = new IntArray(1);
            FloatArray ga = floats(n, "geglu gate"), ua = floats(n, "geglu up"), oa = floats(n, "geglu out");
            TaskGraph graph = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, ga, ua)
                    .task(TASK, PointwiseKernels::geglu, new KernelContext(), dims, ga, ua, oa)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, oa);
            return plan(graph, dims, null, ga, ua, oa);
        });
        Staging.copyIn(gate, n, plan.arrays[0]);
        Staging.copyIn(up, n, plan.arrays[1]);
        plan.dims.set(PointwiseKernels.COUNT, (int) n);
        launch(plan, n);
        Staging.copyOut(plan.arrays[2], n, out);
    }

    void gegluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp) {
        Staging.requireFloats(gate, n, "geglu gate");
        Staging.requireFloats(up, n, "geglu up");
        Staging.requireFloats(dOut, n, "geglu dOut");
        Staging.requireFloats(dGate, n, "geglu dGate");
        Staging.requireFloats(dUp, n, "geglu dUp");
        if (n == 0) return;
        DevicePlan plan = plans.get("gegluBackward" + classes(n), name -> {
            IntArray dims = new IntArray(1);
            FloatArray ga = floats(n, "geglu gate"), ua = floats(n, "geglu up"), da = floats(n, "geglu dOut"),
                    dga = floats(n, "geglu dGate"), dua = floats(n, "geglu dUp");
            TaskGraph graph = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, ga, ua, da)
                    .task(TASK, PointwiseKernels::gegluBackward, new KernelContext(), dims, ga, ua, da, dga, dua)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, dga, dua);
            return plan(graph, dims, null, ga, ua, da, dga, dua);
        });
        Staging.copyIn(gate, n, plan.arrays[0]);
        Staging.copyIn(up, n, plan.arrays[1]);
        Staging.copyIn(dOut, n, plan.arrays[2]);
        plan.dims.set(PointwiseKernels.COUNT, (int) n);
        launch(plan, n);
        Staging.copyOut(plan.arrays[3], n, dGate);
        Staging.copyOut(plan.arrays[4], n, dUp);
    }

    void adamw(long n, AdamWStep step, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v) {
        Staging.requireFloats(param, n, "adamw param");
        Staging.requireFloats(grad, n, "adamw grad");
        Staging.requireFloats(m, n, "adamw m");
        Staging.requireFloats(v, n, "adamw v");
        if (n == 0) return;
        DevicePlan plan = plans.get("adamw" + classes(n), name -> {
            IntArray dims = new IntArray(1);
            FloatArray scalars = new FloatArray(PointwiseKernels.ADAMW_SCALARS);
            FloatArray pa = floats(n, "adamw param"), ga = floats(n, "adamw grad"), ma = floats(n, "adamw m"), va = floats(n, "adamw v");
            TaskGraph graph = new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dims, scalars, pa, ga, ma, va)
                    .task(TASK, PointwiseKernels::adamw, new KernelContext(), dims, scalars, pa, ga, ma, va)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, pa, ma, va);
            return plan(graph, dims, scalars, pa, ga, ma, va);
        });
        Staging.copyIn(param, n, plan.arrays[0]);
        Staging.copyIn(grad, n, plan.arrays[1]);
        Staging.copyIn(m, n, plan.arrays[2]);
        Staging.copyIn(v, n, plan.arrays[3]);
        plan.dims.set(PointwiseKernels.COUNT, (int) n);
        FloatArray s = plan.scalars;
        s.set(PointwiseKernels.LR, step.lr());
        s.set(PointwiseKernels.BETA1, step.beta1());
        s.set(PointwiseKernels.BETA2, step.beta2());
        s.set(PointwiseKernels.EPS, step.eps());
        s.set(PointwiseKernels.WEIGHT_DECAY, step.weightDecay());
        s.set(PointwiseKernels.BIAS_CORRECTION1, step.biasCorrection1());
        s.set(PointwiseKernels.BIAS_CORRECTION2, step.biasCorrection2());
        launch(plan, n);
        Staging.copyOut(plan.arrays[0], n, param);
        Staging.copyOut(plan.arrays[2], n, m);
        Staging.copyOut(plan.arrays[3], n, v);
    }

    private DevicePlan plan(TaskGraph graph, IntArray dims, FloatArray scalars, FloatArray... arrays) {
        return new DevicePlan(graph, Map.of(TASK, DevicePlan.oneDimensional()), dims, scalars, arrays, device);
    }

    private static void setRowDims(DevicePlan plan, int rows, int cols, boolean hasWeight, boolean hasWeightGrad) {
        RowKernels.setShape(plan.dims, rows, cols, hasWeight, hasWeightGrad);
    }

    private static void launch(DevicePlan plan, long workItems) {
        plan.size1D(TASK, workItems);
        plan.execute();
    }
}
