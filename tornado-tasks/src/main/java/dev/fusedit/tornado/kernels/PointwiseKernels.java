package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.RopeShape;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Device kernels where each work-item owns independent elements: RoPE (one rotated pair each),
 * GeGLU forward and backward, and the glue of a whole-block graph (bias and residual adds, placing
 * rows of one buffer into another). Semantics as in {@link dev.fusedit.tensor.kernels.Kernels};
 * dims[{@link #COUNT}] is the number of work-items that do work (the grid is rounded up to whole
 * work-groups). Launched kernel by kernel by {@link DevicePointwiseKernels}, and as tasks of the
 * whole-model plan.
 */
public final class PointwiseKernels {
    private PointwiseKernels() {}

    public static final int COUNT = 0;
    /** Dims of the kernels that need only {@link #COUNT} (GeGLU, addInto). */
    public static final int COUNT_DIMS = 1;
    // RoPE's other dims slots.
    static final int SEQ = 1, HEADS = 2, HEAD_DIM = 3, COS_BATCHES = 4, INVERSE = 5;
    public static final int ROPE_DIMS = 6;
    // addRowVector's other dims slot: the row width (the vector's length).
    public static final int WIDTH = 1;
    public static final int ROW_VECTOR_DIMS = 2;
    // copyRows' other dims slots (WIDTH as above).
    public static final int SRC_ROWS = 2, DST_ROWS = 3, DST_ROW_OFFSET = 4;
    public static final int COPY_DIMS = 5;

    /** Writes {@code s} into RoPE's dims slots (host side); returns the work-items (rotated pairs). */
    public static long setRopeShape(IntArray d, RopeShape s, boolean inverse) {
        long pairs = (long) s.batch() * s.seq() * s.heads() * s.headDim() / 2;
        d.set(COUNT, Math.toIntExact(pairs));
        d.set(SEQ, s.seq());
        d.set(HEADS, s.heads());
        d.set(HEAD_DIM, s.headDim());
        d.set(COS_BATCHES, s.cosBatches());
        d.set(INVERSE, inverse ? 1 : 0);
        return pairs;
    }

    private static final float GELU_C = 0.7978845608028654f; // sqrt(2/pi)

    /** Work-item r = ((b·seq + t)·heads + h)·half + d rotates the pair (d, d + half) of one vector. */
    public static void rope(KernelContext ctx, IntArray dims, FloatArray x, FloatArray cos, FloatArray sin, FloatArray out) {
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

    public static void geglu(KernelContext ctx, IntArray dims, FloatArray gate, FloatArray up, FloatArray out) {
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

    /** x[i] += v[i mod width]: a bias over the rows of x. */
    public static void addRowVector(KernelContext ctx, IntArray dims, FloatArray x, FloatArray v) {
        int i = ctx.globalIdx;
        if (i < dims.get(COUNT)) x.set(i, x.get(i) + v.get(i % dims.get(WIDTH)));
    }

    /** x[i] += y[i]: a residual connection. */
    public static void addInto(KernelContext ctx, IntArray dims, FloatArray x, FloatArray y) {
        int i = ctx.globalIdx;
        if (i < dims.get(COUNT)) x.set(i, x.get(i) + y.get(i));
    }

    /**
     * Row r of batch b of src [B, srcRows, width] to row dstRowOffset + r of dst [B, dstRows, width];
     * one work-item per element of src (e.g. text keys and image keys into one [text ; image] key buffer).
     */
    public static void copyRows(KernelContext ctx, IntArray dims, FloatArray src, FloatArray dst) {
        int i = ctx.globalIdx;
        if (i < dims.get(COUNT)) {
            int width = dims.get(WIDTH), srcRows = dims.get(SRC_ROWS);
            int c = i % width, row = i / width;
            int r = row % srcRows, b = row / srcRows;
            dst.set((b * dims.get(DST_ROWS) + dims.get(DST_ROW_OFFSET) + r) * width + c, src.get(i));
        }
    }
}
