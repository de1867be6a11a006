package dev.fusedit.training.optim;

import dev.fusedit.tensor.Elements;
import dev.fusedit.tensor.kernels.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** torch.nn.utils.clip_grad_norm_ over one flat gradient buffer. */
public final class GradientClipping {
    private GradientClipping() {}

    /** Elements summed in float lanes before the partial sum joins the double total. */
    private static final int CHUNK = 4096;

    /** The global L2 norm of {@code grads} (float partial sums of CHUNK elements, accumulated in double). */
    public static double globalNorm(MemorySegment grads) {
        long n = grads.byteSize() / 4;
        double ss = 0;
        for (long start = 0; start < n; start += CHUNK) {
            long end = Math.min(n, start + CHUNK);
            long vecEnd = start + VectorWidth.loopBound(end - start);
            FloatVector acc = FloatVector.zero(VectorWidth.F);
            long i = start;
            for (; i < vecEnd; i += VectorWidth.LANES) {
                FloatVector g = FloatVector.fromMemorySegment(VectorWidth.F, grads, i * 4, ByteOrder.nativeOrder());
                acc = g.fma(g, acc);
            }
            double part = acc.reduceLanes(VectorOperators.ADD);
            for (; i < end; i++) {
                double g = grads.getAtIndex(Elements.F32, i);
                part += g * g;
            }
            ss += part;
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
            if (coef < 1) scale(grads, (float) coef);
        }
        return norm;
    }

    private static void scale(MemorySegment grads, float c) {
        long n = grads.byteSize() / 4, vecEnd = VectorWidth.loopBound(n);
        long i = 0;
        for (; i < vecEnd; i += VectorWidth.LANES)
            FloatVector.fromMemorySegment(VectorWidth.F, grads, i * 4, ByteOrder.nativeOrder()).mul(c)
                    .intoMemorySegment(grads, i * 4, ByteOrder.nativeOrder());
        for (; i < n; i++) grads.setAtIndex(Elements.F32, i, grads.getAtIndex(Elements.F32, i) * c);
    }
}
