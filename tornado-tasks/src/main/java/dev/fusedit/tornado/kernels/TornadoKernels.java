package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.AdamWStep;
import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.DeviceKernelException;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.RopeShape;
import dev.fusedit.tornado.DeviceContext;
import dev.fusedit.tornado.TornadoAvailability;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@link Kernels} provider on TornadoVM: every kernel of the interface runs on one TornadoVM
 * device (see {@link DeviceGemm}, {@link DeviceAttention}, {@link DeviceRowKernels},
 * {@link DevicePointwiseKernels} and {@link DeviceOptimizerKernels} for what stays on the device
 * and what travels per call; {@link Launcher} for how a call runs). Calls are serialised: one
 * device, one queue. Host-side loops beside the kernels run on the pool of the CPU kernels
 * ({@link #cpuPool()}).
 *
 * <p>When the device fails a kernel (TornadoVM cannot compile it, the device is out of memory, an
 * array is beyond TornadoVM's limits) {@link DeviceOrCpu} either runs it on the CPU provider
 * given here, saying so, or throws {@link DeviceKernelException}. TornadoVM's own bailout to sequential Java is switched off by
 * {@link TornadoAvailability}: it would run these work-item kernels once instead of per work-item.
 */
public final class TornadoKernels implements Kernels, AutoCloseable {

    private final TornadoDevice device;
    private final DeviceContext context;
    private final Kernels cpu;
    private final DeviceOrCpu policy;
    private final PlanCache plans = new PlanCache();
    private final DeviceGemm gemm;
    private final DeviceAttention attention;
    private final DeviceRowKernels rows;
    private final DevicePointwiseKernels pointwise;
    private final DeviceOptimizerKernels optimizer;

    TornadoKernels(TornadoDevice device, Kernels cpu, OnDeviceFailure onFailure, boolean profile) {
        this.device = device;
        this.context = new DeviceContext(device, profile);
        this.cpu = cpu;
        this.policy = new DeviceOrCpu(onFailure, this::deviceDescription, cpu.name());
        Launcher launcher = new Launcher(plans, context);
        this.gemm = new DeviceGemm(launcher, new ResidentWeights(plans));
        this.attention = new DeviceAttention(launcher);
        this.rows = new DeviceRowKernels(launcher);
        this.pointwise = new DevicePointwiseKernels(launcher);
        this.optimizer = new DeviceOptimizerKernels(launcher);
    }

    @Override
    public String name() {
        return "tornado-" + device.getPhysicalDevice().getDeviceName().trim().replaceAll("\\s+", "_");
    }

    /** The pool of the CPU kernels this provider falls back to (the one {@link TornadoKernelsFactory#create} was given). */
    @Override
    public KernelPool cpuPool() {
        return cpu.cpuPool();
    }

    /** The device the kernels run on, as TornadoVM describes it. */
    public String deviceDescription() {
        return device.getPlatformName().trim() + " / " + device.getPhysicalDevice().getDeviceName().trim() + " (" + device.getDeviceName() + ")";
    }

    /** Compiled task graphs held (each owns its device buffers). */
    synchronized int compiledPlans() {
        return plans.size();
    }

    /** Device time of the kernels of the last call, in ns, when created with profiling; else -1. */
    public long lastKernelNanos() {
        return context.lastKernelNanos().get();
    }

    /** The device and profiling setting the plans share (the per-block FuseDiT plan uses the same device). */
    public DeviceContext context() {
        return context;
    }

    /** What a device failure does (the per-block FuseDiT plan follows the same policy). */
    public OnDeviceFailure onFailure() {
        return policy.onFailure();
    }

    /** Kernels that failed on the device and run on the CPU from now on. */
    Set<String> kernelsOnCpu() {
        return policy.kernelsOnCpu();
    }

    private void run(String kernel, Runnable onDevice, Runnable onCpuInstead) {
        synchronized (this) {
            policy.run(kernel, onDevice, onCpuInstead);
        }
    }

    private <T> T call(String kernel, Supplier<T> onDevice, Supplier<T> onCpuInstead) {
        synchronized (this) {
            return policy.call(kernel, onDevice, onCpuInstead);
        }
    }

    @Override
    public void matmul(MatmulShape shape, MemorySegment a, MemorySegment b, MemorySegment c) {
        run("matmul", () -> gemm.matmul(shape, a, b, c), () -> cpu.matmul(shape, a, b, c));
    }

    @Override
    public void matmulBf16Weights(MatmulShape shape, MemorySegment a, MemorySegment bBf16, MemorySegment c) {
        run("matmulBf16Weights", () -> gemm.matmulBf16Weights(shape, a, bBf16, c), () -> cpu.matmulBf16Weights(shape, a, bBf16, c));
    }

    @Override
    public void attention(AttentionShape shape, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                          MemorySegment out, MemorySegment lse) {
        run("attention", () -> attention.forward(shape, q, k, v, mask, out, lse), () -> cpu.attention(shape, q, k, v, mask, out, lse));
    }

    @Override
    public void attentionBackward(AttentionShape shape, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                                  MemorySegment out, MemorySegment lse, MemorySegment dOut,
                                  MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        run("attentionBackward", () -> attention.backward(shape, q, k, v, mask, out, lse, dOut, dq, dk, dv),
                () -> cpu.attentionBackward(shape, q, k, v, mask, out, lse, dOut, dq, dk, dv));
    }

    @Override
    public void rope(RopeShape shape, MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out, boolean inverse) {
        run("rope", () -> pointwise.rope(shape, x, cos, sin, out, inverse), () -> cpu.rope(shape, x, cos, sin, out, inverse));
    }

    @Override
    public void rmsNorm(int rowCount, int dim, float eps, float weightOffset, MemorySegment x, MemorySegment w,
                        MemorySegment out, MemorySegment rstd) {
        run("rmsNorm", () -> rows.rmsNorm(rowCount, dim, eps, weightOffset, x, w, out, rstd),
                () -> cpu.rmsNorm(rowCount, dim, eps, weightOffset, x, w, out, rstd));
    }

    @Override
    public void rmsNormBackward(int rowCount, int dim, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment rstd,
                                MemorySegment dOut, MemorySegment dx, MemorySegment dw) {
        run("rmsNormBackward", () -> rows.rmsNormBackward(rowCount, dim, weightOffset, x, w, rstd, dOut, dx, dw),
                () -> cpu.rmsNormBackward(rowCount, dim, weightOffset, x, w, rstd, dOut, dx, dw));
    }

    @Override
    public void geglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        run("geglu", () -> pointwise.geglu(n, gate, up, out), () -> cpu.geglu(n, gate, up, out));
    }

    @Override
    public void gegluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp) {
        run("gegluBackward", () -> pointwise.gegluBackward(n, gate, up, dOut, dGate, dUp), () -> cpu.gegluBackward(n, gate, up, dOut, dGate, dUp));
    }

    @Override
    public void softmax(int rowCount, int cols, MemorySegment x, MemorySegment out) {
        run("softmax", () -> rows.softmax(rowCount, cols, x, out), () -> cpu.softmax(rowCount, cols, x, out));
    }

    @Override
    public void softmaxBackward(int rowCount, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        run("softmaxBackward", () -> rows.softmaxBackward(rowCount, cols, y, dy, dx), () -> cpu.softmaxBackward(rowCount, cols, y, dy, dx));
    }

    @Override
    public void adamw(long n, AdamWStep step, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v) {
        run("adamw", () -> optimizer.adamw(n, step, param, grad, m, v), () -> cpu.adamw(n, step, param, grad, m, v));
    }

    @Override
    public double sumOfSquares(long n, MemorySegment x) {
        return call("sumOfSquares", () -> optimizer.sumOfSquares(n, x), () -> cpu.sumOfSquares(n, x));
    }

    @Override
    public void scale(long n, float c, MemorySegment x) {
        run("scale", () -> optimizer.scale(n, c, x), () -> cpu.scale(n, c, x));
    }

    @Override
    public void emaUpdate(long n, float decay, MemorySegment ema, MemorySegment param) {
        run("emaUpdate", () -> optimizer.emaUpdate(n, decay, ema, param), () -> cpu.emaUpdate(n, decay, ema, param));
    }

    /** Frees every plan's device memory. */
    @Override
    public synchronized void close() {
        plans.close();
    }
}
