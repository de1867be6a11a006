package dev.fusedit.training.optim;

import dev.fusedit.tensor.Elements;

import java.lang.foreign.MemorySegment;

/** torch.nn.utils.clip_grad_norm_ over one flat gradient buffer. */
public final class GradientClipping {
    private GradientClipping() {}

    /** The global L2 norm of {@code grads} (accumulated in double). */
    public static double globalNorm(MemorySegment grads) {
        long n = grads.byteSize() / 4;
        double ss = 0;
        for (long i = 0; i < n; i++) {
            double g = grads.getAtIndex(Elements.F32, i);
            ss += g * g;
        }
        return Math.sqrt(ss);
    }

    /**
     * Scales the gradients so their global norm is at most {@code maxNorm} (by maxNorm / (norm + 1e-6),
     * as torch does) and returns the norm before clipping. maxNorm <= 0 disables clipping.
     */
    public static double clip(MemorySegment grads, double maxNorm) {
        double norm = globalNorm(grads);
        if (maxNorm > 0 && Double.isFinite(norm)) {
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1) {
                float c = (float) coef;
                long n = grads.byteSize() / 4;
                for (long i = 0; i < n; i++) grads.setAtIndex(Elements.F32, i, grads.getAtIndex(Elements.F32, i) * c);
            }
        }
        return norm;
    }
}
