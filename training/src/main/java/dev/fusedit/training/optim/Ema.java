package dev.fusedit.training.optim;

import dev.fusedit.layers.ParameterBuffer;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.kernels.KernelProvider;

/**
 * Exponential moving average of the trainable parameters, as the reference keeps it: a copy
 * made at the start, updated ema = decay·ema + (1−decay)·param only on steps that are multiples
 * of {@code updateSteps}.
 */
public final class Ema implements AutoCloseable {
    private final ParameterBuffer params;
    private final MemoryScope memory = MemoryScope.openDetached();
    private final Tensor shadow;
    private final float decay;
    private final int updateSteps;

    public Ema(ParameterBuffer params, double decay, int updateSteps) {
        if (updateSteps < 1) throw new IllegalArgumentException("ema.update_steps must be at least 1");
        this.params = params;
        this.decay = (float) decay;
        this.updateSteps = updateSteps;
        this.shadow = memory.within(() -> Tensor.zeros(DType.F32, params.values().size(0)));
        shadow.copyFrom(params.values());
    }

    /** Called after optimizer step {@code globalStep} (counting from 1). */
    public void afterStep(long globalStep) {
        if (globalStep % updateSteps != 0) return;
        KernelProvider.current().emaUpdate(shadow.numel(), decay, shadow.data(), params.valueSegment());
    }

    /** The averaged values, laid out like the parameter buffer. */
    public Tensor values() {
        return shadow;
    }

    /** Copies the averaged values into the model's parameters (for sampling or saving the EMA model). */
    public void copyInto(ParameterBuffer target) {
        target.values().copyFrom(shadow);
    }

    @Override
    public void close() {
        memory.close();
    }
}
