package dev.fusedit.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Device kernels where each work-item owns independent elements: RoPE (one rotated pair each),
 * GeGLU forward and backward, and the AdamW update. Semantics as in
 * {@link dev.fusedit.tensor.kernels.Kernels}; dims[{@link #COUNT}] is the number of work-items
 * that do work (the grid is rounded up to whole work-groups).
 */
final class PointwiseKernels {
    private PointwiseKernels() {}

    static final int COUNT = 0;
    // RoPE's other dims slots.
    static final int SEQ = 1, HEADS = 2, HEAD_DIM = 3, COS_BATCHES = 4, INVERSE = 5;
    static final int ROPE_DIMS = 6;
    // AdamW's scalars.
    static final int LR = 0, BETA1 = 1, BETA2 = 2, EPS = 3, WEIGHT_DECAY = 4, BIAS_CORRECTION1 = 5, BIAS_CORRECTION2 = 6;
    static final int ADAMW_SCALARS = 7;

    private static final float GELU_C = 0.7978845608028654f; // sqrt(2/pi)

    /** Work-item r = ((b·seq + t)·heads + h)·half + d rotates the pair (d, d + half) of one vector. */
    static void rope(KernelContext ctx, IntArray dims, FloatArray x, FloatArray cos, FloatArray sin, FloatArray out) {
        int r = ctx.globalIdx;
        if (r < dims.get(COUNT)) {
            int seq = dims.get(SEQ), heads = dims.get(HEADS), dim = dims.get(HEAD_DIM), half = dim / 2;
            int d = r % half, vec = r / half;
            int t = (vec / heads) % seq, b = vec / (heads * seq);
            int cb = dims.get(COS_BATCHES) == 1 ? 0 : b;
            int cs = (cb * seq + t) * dim;
            float sign = dims.get(INVERSE) != 0 ? -1.0f : 1.0f;
            int base = vec * dim;
            float x1 = x.get(base + d), x2 = x.get(base + d + half);
            out.set(base + d, x1 * cos.get(cs + d) - sign * x2 * sin.get(cs + d));
            out.set(base + d + half, x2 * cos.get(cs + d + half) + sign * x1 * sin.get(cs + d + half));
        }
    }

    private static float geluTanh(float x) {
        float u = GELU_C * (x + 0.044715f * x * x * x);
        return 0.5f * x * (1.0f + TornadoMath.tanh(u));
    }

    static void geglu(KernelContext ctx, IntArray dims, FloatArray gate, FloatArray up, FloatArray out) {
        int i = ctx.globalIdx;
        if (i < dims.get(COUNT)) out.set(i, geluTanh(gate.get(i)) * up.get(i));
    }

    static void gegluBackward(KernelContext ctx, IntArray dims, FloatArray gate, FloatArray up, FloatArray dOut,
                              FloatArray dGate, FloatArray dUp) {
        int i = ctx.globalIdx;
        if (i < dims.get(COUNT)) {
            float g = gate.get(i), dy = dOut.get(i);
            float t = TornadoMath.tanh(GELU_C * (g + 0.044715f * g * g * g));
            float grad = 0.5f * (1.0f + t) + 0.5f * g * (1.0f - t * t) * GELU_C * (1.0f + 3.0f * 0.044715f * g * g);
            dGate.set(i, dy * up.get(i) * grad);
            dUp.set(i, dy * 0.5f * g * (1.0f + t));
        }
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
}
