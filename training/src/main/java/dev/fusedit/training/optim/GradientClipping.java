package dev.fusedit.training.optim;

import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.KernelProvider;

import java.lang.foreign.MemorySegment;

/** torch.nn.utils.clip_grad_norm_ over one flat gradient buffer, on the active kernels. */
public final class GradientClipping {
    private GradientClipping() {}

    /** The global L2 norm of {@code grads} (float32 values). */
    public static double globalNorm(MemorySegment grads) {
        return Math.sqrt(KernelProvider.current().sumOfSquares(grads.byteSize() / Float.BYTES, grads));
    }

    /**
     * Scales the gradients so their global norm is at most {@code maxNorm} (by maxNorm / (norm + 1e-6),
     * as torch does) and returns the norm before clipping. maxNorm <= 0 disables clipping.
     */
    public static double clip(MemorySegment grads, double maxNorm) {
        Kernels kernels = KernelProvider.current();
        long n = grads.byteSize() / Float.BYTES;
        double norm = Math.sqrt(kernels.sumOfSquares(n, grads));
        if (maxNorm > 0 && Double.isFinite(norm)) {
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1) kernels.scale(n, (float) coef, grads);
        }
        return norm;
    }
}
