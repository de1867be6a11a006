package dev.fusedit.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Device kernels that reduce along a row: RMSNorm and softmax, forward and backward, one
 * work-item per row (the weight gradient of RMSNorm: one per column). Semantics as in
 * {@link dev.fusedit.tensor.kernels.Kernels}; dims[{@link #ROWS}] and dims[{@link #COLS}] give the
 * shape, the rest of the slots are named per kernel. Launched kernel by kernel by
 * {@link DeviceRowKernels}, and as tasks of the whole-model plan.
 */
public final class RowKernels {
    private RowKernels() {}

    static final int ROWS = 0, COLS = 1, HAS_WEIGHT = 2, HAS_WEIGHT_GRAD = 3;
    public static final int DIMS = 4;
    static final int EPS = 0, WEIGHT_OFFSET = 1;
    public static final int SCALARS = 2;

    /** Writes the shape into the dims slots (host side). */
    public static void setShape(IntArray d, int rows, int cols, boolean hasWeight, boolean hasWeightGrad) {
        d.set(ROWS, rows);
        d.set(COLS, cols);
        d.set(HAS_WEIGHT, hasWeight ? 1 : 0);
        d.set(HAS_WEIGHT_GRAD, hasWeightGrad ? 1 : 0);
    }

    /** RMSNorm's scalars (host side). */
    public static void setNormScalars(FloatArray scalars, float eps, float weightOffset) {
        scalars.set(EPS, eps);
        scalars.set(WEIGHT_OFFSET, weightOffset);
    }

    /** Σ x[base + d]·y[base + d] over one row of n, in order. */
    private static float rowDot(FloatArray x, FloatArray y, int base, int n) {
        float sum = 0.0f;
        for (int d = 0; d < n; d++) sum += x.get(base + d) * y.get(base + d);
        return sum;
    }

    private static float gain(IntArray dims, FloatArray scalars, FloatArray w, int d) {
        return dims.get(HAS_WEIGHT) != 0 ? scalars.get(WEIGHT_OFFSET) + w.get(d) : 1.0f;
    }

    public static void rmsNorm(KernelContext ctx, IntArray dims, FloatArray scalars, FloatArray x, FloatArray w, FloatArray out, FloatArray rstd) {
        int r = ctx.globalIdx;
        int dim = dims.get(COLS);
        if (r < dims.get(ROWS)) {
            int base = r * dim;
            float ss = rowDot(x, x, base, dim);
            float inv = 1.0f / TornadoMath.sqrt(ss / dim + scalars.get(EPS));
            rstd.set(r, inv);
            for (int d = 0; d < dim; d++) out.set(base + d, x.get(base + d) * inv * gain(dims, scalars, w, d));
        }
    }

    /** dx = inv·g·dy − x·inv³/dim·Σ(g·dy·x) per row. */
    static void rmsNormBackwardInput(KernelContext ctx, IntArray dims, FloatArray scalars, FloatArray x, FloatArray w, FloatArray rstd,
                                     FloatArray dOut, FloatArray dx) {
        int r = ctx.globalIdx;
        int dim = dims.get(COLS);
        if (r < dims.get(ROWS)) {
            int base = r * dim;
            float inv = rstd.get(r);
            float dot = 0.0f;
            for (int d = 0; d < dim; d++) dot += gain(dims, scalars, w, d) * dOut.get(base + d) * x.get(base + d);
            float tail = inv * inv * inv * dot / dim;
            for (int d = 0; d < dim; d++) dx.set(base + d, inv * gain(dims, scalars, w, d) * dOut.get(base + d) - x.get(base + d) * tail);
        }
    }

    /** dw[d] += Σ_rows dy·x·inv, one work-item per column d (nothing when there is no weight gradient). */
    static void rmsNormBackwardWeight(KernelContext ctx, IntArray dims, FloatArray x, FloatArray rstd, FloatArray dOut, FloatArray dw) {
        int d = ctx.globalIdx;
        int dim = dims.get(COLS), rows = dims.get(ROWS);
        if (d < dim && dims.get(HAS_WEIGHT_GRAD) != 0) {
            float acc = 0.0f;
            for (int r = 0; r < rows; r++) acc += dOut.get(r * dim + d) * x.get(r * dim + d) * rstd.get(r);
            dw.set(d, dw.get(d) + acc);
        }
    }

    static void softmax(KernelContext ctx, IntArray dims, FloatArray x, FloatArray out) {
        int r = ctx.globalIdx;
        int cols = dims.get(COLS);
        if (r < dims.get(ROWS)) {
            int base = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = TornadoMath.max(max, x.get(base + c));
            float sum = 0.0f;
            for (int c = 0; c < cols; c++) {
                float e = TornadoMath.exp(x.get(base + c) - max);
                out.set(base + c, e);
                sum += e;
            }
            float inv = 1.0f / sum;
            for (int c = 0; c < cols; c++) out.set(base + c, out.get(base + c) * inv);
        }
    }

    /** dx = y·(dy − Σ y·dy) per row. */
    static void softmaxBackward(KernelContext ctx, IntArray dims, FloatArray y, FloatArray dy, FloatArray dx) {
        int r = ctx.globalIdx;
        int cols = dims.get(COLS);
        if (r < dims.get(ROWS)) {
            int base = r * cols;
            float dot = rowDot(y, dy, base, cols);
            for (int c = 0; c < cols; c++) dx.set(base + c, y.get(base + c) * (dy.get(base + c) - dot));
        }
    }
}
