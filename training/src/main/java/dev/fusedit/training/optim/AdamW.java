package dev.fusedit.training.optim;

import dev.fusedit.layers.ParameterBuffer;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.kernels.AdamWStep;
import dev.fusedit.tensor.kernels.KernelProvider;

/**
 * torch.optim.AdamW over the flat parameter buffer: one kernel call updates every trainable
 * parameter (decoupled weight decay applied to all of them, norms and biases included, as the
 * reference's single parameter group does). Moments live in two flat buffers of the same layout.
 */
public final class AdamW implements AutoCloseable {
    private final ParameterBuffer params;
    private final MemoryScope memory = MemoryScope.openDetached();
    private final Tensor m, v;
    private final float beta1, beta2, eps, weightDecay;
    private long step;

    public AdamW(ParameterBuffer params, double beta1, double beta2, double eps, double weightDecay) {
        this.params = params;
        int n = params.values().size(0);
        this.m = memory.within(() -> Tensor.zeros(DType.F32, n));
        this.v = memory.within(() -> Tensor.zeros(DType.F32, n));
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.weightDecay = (float) weightDecay;
    }

    /** One update with learning rate {@code lr} from the gradients in the flat gradient buffer. */
    public void step(double lr) {
        step++;
        AdamWStep s = new AdamWStep((float) lr, beta1, beta2, eps, weightDecay, step);
        KernelProvider.current().adamw(params.values().numel(), s, params.valueSegment(), params.gradSegment(), m.data(), v.data());
    }

    /** Steps taken (the bias-correction count). */
    public long steps() { return step; }

    /** Restores the step count with the moments (after loading them into {@link #firstMoment()} / {@link #secondMoment()}). */
    public void setSteps(long steps) { this.step = steps; }

    public Tensor firstMoment() { return m; }
    public Tensor secondMoment() { return v; }

    @Override
    public void close() {
        memory.close();
    }
}
