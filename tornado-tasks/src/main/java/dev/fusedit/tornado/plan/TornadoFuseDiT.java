package dev.fusedit.tornado.plan;

import dev.fusedit.model.fusedit.DeviceVelocity;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.fusedit.PatchEmbed;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Settings;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.kernels.DeviceKernelException;
import dev.fusedit.tornado.kernels.OnDeviceFailure;
import dev.fusedit.tornado.kernels.TornadoKernels;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * {@link DeviceVelocity} on TornadoVM: one {@link FuseDiTGraphs} plan for the current input shape
 * (rebuilt, and compiled again, when the batch, image size or text length changes). Patchify and
 * unpatchify are reorderings of the step's input and output on the host; everything between runs
 * on the device. It shares the device and the failure policy of the {@link TornadoKernels} it was
 * opened for: when the device fails the plan, {@code fallback} prints one line and runs the
 * model kernel by kernel from then on; {@code fail} throws {@link DeviceKernelException}.
 */
public final class TornadoFuseDiT implements DeviceVelocity {
    private final FuseDiT model;
    private final TornadoKernels kernels;
    private final boolean profile;
    private FuseDiTGraphs graphs;
    private boolean kernelByKernel;

    /** The plan for {@code model} on the device of {@code kernels}; {@code profile} counts each step's transfers (benchmarks). */
    public TornadoFuseDiT(FuseDiT model, TornadoKernels kernels, boolean profile) {
        String unsupported = FuseDiTGraphs.unsupportedReason(model.config);
        if (unsupported != null) throw new IllegalArgumentException("this FuseDiT cannot run as block graphs: " + unsupported);
        this.model = model;
        this.kernels = kernels;
        this.profile = profile;
    }

    @Override
    public String description() {
        return kernels.deviceDescription();
    }

    @Override
    public Tensor velocity(Tensor latents, Tensor timestep, TextContext text) {
        FuseDiTConfig c = model.config;
        int p = c.patchSize();
        if (latents.dim() != 4 || latents.size(0) != text.batch() || latents.size(1) != c.inChannels() || latents.size(2) % p != 0 || latents.size(3) % p != 0)
            throw new IllegalArgumentException("latents must be [" + text.batch() + ", " + c.inChannels() + ", H, W] with H and W multiples of "
                    + p + ", got " + Arrays.toString(latents.shape()));
        if (!kernelByKernel) {
            synchronized (kernels) {
                try {
                    return onDevice(latents, text);
                } catch (IllegalArgumentException e) {
                    throw e;
                } catch (RuntimeException | Error e) {
                    if (e instanceof VirtualMachineError) throw e;
                    String first = e.getMessage() == null ? "" : e.getMessage().replaceAll("\u001B\\[[0-9;]*m", "").strip().lines().findFirst().orElse("");
                    String reason = e.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
                    if (kernels.onFailure() == OnDeviceFailure.FAIL)
                        throw new DeviceKernelException("the per-block FuseDiT plan failed on " + description() + " (" + reason
                                + "); rerun with -Dfusedit.deviceForward=off, or with -D" + Settings.TORNADO_ON_FAILURE + "=fallback", e);
                    System.err.println("fusedit: the per-block FuseDiT plan failed on " + description() + " (" + reason
                            + "); the model runs kernel by kernel from now on");
                    kernelByKernel = true;
                }
            }
        }
        return model.velocity(latents, timestep, text);
    }

    private Tensor onDevice(Tensor latents, TextContext text) {
        FuseDiTConfig c = model.config;
        int p = c.patchSize(), h = latents.size(2) / p, w = latents.size(3) / p, batch = latents.size(0);
        FuseDiTGraphs.Shape shape = new FuseDiTGraphs.Shape(batch, h, w, text.length());
        if (graphs == null || !graphs.shape.equals(shape)) {
            if (graphs != null) graphs.close();
            graphs = null;
            graphs = new FuseDiTGraphs(model, shape, kernels.context(), profile);
        }
        Tensor rows = PatchEmbed.patches(latents.dtype() == DType.F32 ? latents : latents.to(DType.F32), p);
        MemorySegment out = graphs.run(rows, text, c);
        int patchOut = c.outChannels() * p * p;
        Tensor tokens = Tensor.empty(DType.F32, batch, h * w, patchOut);
        MemorySegment.copy(out, 0, tokens.data(), 0, tokens.numel() * Float.BYTES);
        return PatchEmbed.unpatchify(tokens, h, w, p, c.outChannels());
    }

    /** Bytes the last call moved, by TornadoVM's profiler (-1 unless created with profiling). */
    public FuseDiTGraphs.Transfers lastTransfers() {
        return graphs == null ? new FuseDiTGraphs.Transfers(-1, -1) : graphs.lastTransfers();
    }

    /** Kernel launches per step of the current plan (0 before the first call). */
    public int tasksPerStep() {
        return graphs == null ? 0 : graphs.tasksPerStep();
    }

    @Override
    public void close() {
        if (graphs != null) graphs.close();
        graphs = null;
    }
}
