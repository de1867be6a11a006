package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.AttentionShape;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Device attention, forward and backward, with the layouts of
 * {@link dev.fusedit.tensor.kernels.Kernels#attention}. One work-item owns one output row and
 * keeps its running sums in that row of global memory, so no work-item ever writes where another
 * reads: the forward pass and dq run one work-item per (batch, head, query row), dk and dv one per
 * (batch, kv head, key row) looping over the query heads that share it. Logits are recomputed in
 * the backward pass from q, k and the saved log-sum-exp, as flash attention does.
 */
public final class AttentionKernel {
    private AttentionKernel() {}

    // Slots of the IntArray of dimensions and of the FloatArray of scalars.
    static final int BATCH = 0, HEADS = 1, KV_HEADS = 2, Q_LEN = 3, KV_LEN = 4, HEAD_DIM = 5, MASK_BATCHES = 6;
    public static final int DIMS = 7;
    static final int SCALE = 0, SOFT_CAP = 1;
    public static final int SCALARS = 2;

    /** Writes {@code s} into the dims slots (host side); without a mask, MASK_BATCHES is 0. */
    public static void setDims(IntArray d, AttentionShape s, boolean masked) {
        d.set(BATCH, s.batch());
        d.set(HEADS, s.heads());
        d.set(KV_HEADS, s.kvHeads());
        d.set(Q_LEN, s.qLen());
        d.set(KV_LEN, s.kvLen());
        d.set(HEAD_DIM, s.headDim());
        d.set(MASK_BATCHES, masked ? s.maskBatches() : 0);
    }

    /** Writes the scale and soft-cap of {@code s} into the scalar slots (host side). */
    public static void setScalars(FloatArray scalars, AttentionShape s) {
        scalars.set(SCALE, s.scale());
        scalars.set(SOFT_CAP, s.softCap());
    }

    private static float dot(FloatArray x, int xi, FloatArray y, int yi, int n) {
        float s = 0.0f;
        for (int d = 0; d < n; d++) s += x.get(xi + d) * y.get(yi + d);
        return s;
    }

    /** The final logit from the raw product q·k: scale, optional soft-cap, additive mask. */
    private static float logit(float rawDot, float scale, float softCap, float maskValue) {
        float z = scale * rawDot;
        if (softCap > 0.0f) z = softCap * TornadoMath.tanh(z / softCap);
        return z + maskValue;
    }

    private static float maskAt(IntArray dims, FloatArray mask, int b, int i, int j) {
        int maskBatches = dims.get(MASK_BATCHES);
        if (maskBatches == 0) return 0.0f;
        int mb = maskBatches == 1 ? 0 : b;
        return mask.get((mb * dims.get(Q_LEN) + i) * dims.get(KV_LEN) + j);
    }

    /** Query rows: work-item r = (b·heads + h)·qLen + i, the lse index of its row, for r below this. */
    private static int queryRows(IntArray dims) {
        return dims.get(BATCH) * dims.get(HEADS) * dims.get(Q_LEN);
    }

    /** Where query row r's vector starts in q, out, dOut and dq. */
    private static int queryOffset(IntArray dims, int r) {
        int heads = dims.get(HEADS), qLen = dims.get(Q_LEN);
        int i = r % qLen, h = (r / qLen) % heads, b = r / (qLen * heads);
        return ((b * qLen + i) * heads + h) * dims.get(HEAD_DIM);
    }

    /** Where key j's vector starts in k and v, for the kv head that query row r reads. */
    private static int keyOffset(IntArray dims, int r, int j) {
        int heads = dims.get(HEADS), kvHeads = dims.get(KV_HEADS), qLen = dims.get(Q_LEN);
        int h = (r / qLen) % heads, b = r / (qLen * heads);
        return ((b * dims.get(KV_LEN) + j) * kvHeads + h / (heads / kvHeads)) * dims.get(HEAD_DIM);
    }

    /** The final logit of query row r against key j, from their raw product. */
    private static float rowLogit(IntArray dims, FloatArray scalars, FloatArray mask, int r, int j, float rawDot) {
        int qLen = dims.get(Q_LEN);
        int i = r % qLen, b = r / (qLen * dims.get(HEADS));
        return logit(rawDot, scalars.get(SCALE), scalars.get(SOFT_CAP), maskAt(dims, mask, b, i, j));
    }

    public static void forward(KernelContext ctx, IntArray dims, FloatArray scalars, FloatArray q, FloatArray k, FloatArray v,
                        FloatArray mask, FloatArray out, FloatArray lse) {
        int r = ctx.globalIdx;
        if (r < queryRows(dims)) {
            int kvLen = dims.get(KV_LEN), dim = dims.get(HEAD_DIM);
            int qi = queryOffset(dims, r);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < kvLen; j++)
                max = TornadoMath.max(max, rowLogit(dims, scalars, mask, r, j, dot(q, qi, k, keyOffset(dims, r, j), dim)));
            for (int d = 0; d < dim; d++) out.set(qi + d, 0.0f);
            float sum = 0.0f;
            for (int j = 0; j < kvLen; j++) {
                int kj = keyOffset(dims, r, j);
                float p = TornadoMath.exp(rowLogit(dims, scalars, mask, r, j, dot(q, qi, k, kj, dim)) - max);
                sum += p;
                for (int d = 0; d < dim; d++) out.set(qi + d, out.get(qi + d) + p * v.get(kj + d));
            }
            for (int d = 0; d < dim; d++) out.set(qi + d, out.get(qi + d) / sum);
            lse.set(r, max + TornadoMath.log(sum));
        }
    }

    /** dz/d(q·k) for one pair: the softmax term p·(dp − delta), through the soft-cap, times scale. */
    private static float logitGradient(float rawDot, float p, float dp, float delta, float scale, float softCap) {
        float dz = p * (dp - delta);
        if (softCap > 0.0f) {
            float t = TornadoMath.tanh(scale * rawDot / softCap);
            dz = dz * (1.0f - t * t);
        }
        return dz * scale;
    }

    /** dq, and delta = Σ dOut·out per row (saved for {@link #backwardKeys}); same work-items as {@link #forward}. */
    static void backwardQueries(KernelContext ctx, IntArray dims, FloatArray scalars, FloatArray q, FloatArray k, FloatArray v,
                                FloatArray mask, FloatArray out, FloatArray lse, FloatArray dOut, FloatArray dq, FloatArray delta) {
        int r = ctx.globalIdx;
        if (r < queryRows(dims)) {
            int kvLen = dims.get(KV_LEN), dim = dims.get(HEAD_DIM);
            float scale = scalars.get(SCALE), softCap = scalars.get(SOFT_CAP);
            int qi = queryOffset(dims, r);
            float rowDelta = dot(dOut, qi, out, qi, dim);
            delta.set(r, rowDelta);
            float rowLse = lse.get(r);
            for (int d = 0; d < dim; d++) dq.set(qi + d, 0.0f);
            for (int j = 0; j < kvLen; j++) {
                int kj = keyOffset(dims, r, j);
                float raw = dot(q, qi, k, kj, dim);
                float p = TornadoMath.exp(rowLogit(dims, scalars, mask, r, j, raw) - rowLse);
                float dz = logitGradient(raw, p, dot(dOut, qi, v, kj, dim), rowDelta, scale, softCap);
                for (int d = 0; d < dim; d++) dq.set(qi + d, dq.get(qi + d) + dz * k.get(kj + d));
            }
        }
    }

    /** dk and dv; work-item r = (b·kvLen + j)·kvHeads + kvh, so r·headDim is its row of k. */
    static void backwardKeys(KernelContext ctx, IntArray dims, FloatArray scalars, FloatArray q, FloatArray k, FloatArray v,
                             FloatArray mask, FloatArray lse, FloatArray dOut, FloatArray delta, FloatArray dk, FloatArray dv) {
        int r = ctx.globalIdx;
        int heads = dims.get(HEADS), kvHeads = dims.get(KV_HEADS), qLen = dims.get(Q_LEN), kvLen = dims.get(KV_LEN), dim = dims.get(HEAD_DIM);
        if (r < dims.get(BATCH) * kvLen * kvHeads) {
            float scale = scalars.get(SCALE), softCap = scalars.get(SOFT_CAP);
            int kvh = r % kvHeads, j = (r / kvHeads) % kvLen, b = r / (kvHeads * kvLen);
            int group = heads / kvHeads;
            int kj = r * dim;
            for (int d = 0; d < dim; d++) {
                dk.set(kj + d, 0.0f);
                dv.set(kj + d, 0.0f);
            }
            for (int g = 0; g < group; g++) {
                int h = kvh * group + g;
                for (int i = 0; i < qLen; i++) {
                    int qi = ((b * qLen + i) * heads + h) * dim;
                    int row = (b * heads + h) * qLen + i;
                    float raw = dot(q, qi, k, kj, dim);
                    float p = TornadoMath.exp(logit(raw, scale, softCap, maskAt(dims, mask, b, i, j)) - lse.get(row));
                    float dz = logitGradient(raw, p, dot(dOut, qi, v, kj, dim), delta.get(row), scale, softCap);
                    for (int d = 0; d < dim; d++) {
                        dv.set(kj + d, dv.get(kj + d) + p * dOut.get(qi + d));
                        dk.set(kj + d, dk.get(kj + d) + dz * q.get(qi + d));
                    }
                }
            }
        }
    }
}
