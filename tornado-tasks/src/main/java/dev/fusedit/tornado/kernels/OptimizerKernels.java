package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.AdamWStep;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Device kernels of the optimizer over the flat parameter, gradient and moment buffers: the AdamW
 * update, the gradients' sum of squares and rescale (clipping by global norm), and the EMA
 * update. Semantics as in {@link dev.fusedit.tensor.kernels.Kernels}; dims[{@link #COUNT}] is the
 * number of elements (the grid is rounded up to whole work-groups). Launched by
 * {@link DeviceOptimizerKernels}.
 */
final class OptimizerKernels {
    private OptimizerKernels() {}

    static final int COUNT = 0;
    static final int DIMS = 1;
    // AdamW's scalars.
    static final int LR = 0, BETA1 = 1, BETA2 = 2, EPS = 3, WEIGHT_DECAY = 4, BIAS_CORRECTION1 = 5, BIAS_CORRECTION2 = 6;
    static final int ADAMW_SCALARS = 7;
    // scale's scalar.
    static final int FACTOR = 0;
    static final int SCALE_SCALARS = 1;
    // emaUpdate's scalars: decay, and 1 − decay rounded to float on the host (as the Vector API kernels do).
    static final int KEEP = 0, TAKE = 1;
    static final int EMA_SCALARS = 2;
    /** Work-items per group of {@link #sumOfSquares} (the launcher's one-dimensional groups): one partial sum each. */
    static final int GROUP = DevicePlan.GROUP;

    /** AdamW's step into its scalar slots (host side). */
    static void setAdamWScalars(FloatArray s, AdamWStep step) {
        s.set(LR, step.lr());
        s.set(BETA1, step.beta1());
        s.set(BETA2, step.beta2());
        s.set(EPS, step.eps());
        s.set(WEIGHT_DECAY, step.weightDecay());
        s.set(BIAS_CORRECTION1, step.biasCorrection1());
        s.set(BIAS_CORRECTION2, step.biasCorrection2());
    }

    /** The EMA's decay into its scalar slots (host side). */
    static void setEmaScalars(FloatArray s, float decay) {
        s.set(KEEP, decay);
        s.set(TAKE, 1 - decay);
    }

    /** Decoupled AdamW as torch.optim.AdamW; param, m and v are updated in place. */
    static void adamw(KernelContext ctx, IntArray dims, FloatArray s, FloatArray param, FloatArray grad, FloatArray m, FloatArray v) {
        int i = ctx.globalIdx;
        if (i < dims.get(COUNT)) {
            float g = grad.get(i), p = param.get(i);
            float mi = s.get(BETA1) * m.get(i) + (1.0f - s.get(BETA1)) * g;
            float vi = s.get(BETA2) * v.get(i) + (1.0f - s.get(BETA2)) * g * g;
            m.set(i, mi);
            v.set(i, vi);
            float update = (mi / s.get(BIAS_CORRECTION1)) / (TornadoMath.sqrt(vi / s.get(BIAS_CORRECTION2)) + s.get(EPS));
            param.set(i, p - s.get(LR) * (s.get(WEIGHT_DECAY) * p + update));
        }
    }

    /**
     * partial[g] = Σ x[i]² over the {@link #GROUP} elements of work-group g, summed as a tree in
     * local memory (elements past the count add 0); the host adds the partial sums in order, in
     * double. Every work-item of a group reaches every barrier.
     */
    static void sumOfSquares(KernelContext ctx, IntArray dims, FloatArray x, FloatArray partial) {
        int i = ctx.globalIdx, local = ctx.localIdx;
        float[] squares = ctx.allocateFloatLocalArray(GROUP);
        float square = 0.0f;
        if (i < dims.get(COUNT)) square = x.get(i) * x.get(i);
        squares[local] = square;
        for (int stride = GROUP / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (local < stride) squares[local] += squares[local + stride];
        }
        if (local == 0) partial.set(ctx.groupIdx, squares[0]);
    }

    /** x[i] = c · x[i]. */
    static void scale(KernelContext ctx, IntArray dims, FloatArray s, FloatArray x) {
        int i = ctx.globalIdx;
        if (i < dims.get(COUNT)) x.set(i, x.get(i) * s.get(FACTOR));
    }

    /** ema[i] = decay · ema[i] + (1 − decay) · param[i]. */
    static void emaUpdate(KernelContext ctx, IntArray dims, FloatArray s, FloatArray ema, FloatArray param) {
        int i = ctx.globalIdx;
        if (i < dims.get(COUNT)) ema.set(i, s.get(KEEP) * ema.get(i) + s.get(TAKE) * param.get(i));
    }
}
