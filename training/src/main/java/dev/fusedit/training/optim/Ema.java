package dev.fusedit.training.optim;

import dev.fusedit.layers.ParameterBuffer;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Elements;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;

import dev.fusedit.tensor.kernels.VectorWidth;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

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
        MemorySegment e = shadow.data(), p = params.valueSegment();
        float keep = decay, take = 1 - decay;
        long n = shadow.numel(), vecEnd = VectorWidth.loopBound(n);
        long i = 0;
        // two products and a sum, each rounded to float: the same values as the scalar tail
        for (; i < vecEnd; i += VectorWidth.LANES) {
            FloatVector ev = FloatVector.fromMemorySegment(VectorWidth.F, e, i * 4, ByteOrder.nativeOrder());
            FloatVector pv = FloatVector.fromMemorySegment(VectorWidth.F, p, i * 4, ByteOrder.nativeOrder());
            ev.mul(keep).add(pv.mul(take)).intoMemorySegment(e, i * 4, ByteOrder.nativeOrder());
        }
        for (; i < n; i++) e.setAtIndex(Elements.F32, i, keep * e.getAtIndex(Elements.F32, i) + take * p.getAtIndex(Elements.F32, i));
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
