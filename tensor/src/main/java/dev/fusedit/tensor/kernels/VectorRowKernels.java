package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static dev.fusedit.tensor.kernels.VectorLoops.*;

/**
 * The row reductions on the Vector API: RMSNorm and softmax, forward and backward, each row reduced
 * (sum of squares, max and sum) before it is written. Rows are cut into chunks run on the pool
 * ({@link VectorLoops}).
 */
final class VectorRowKernels {
    private static final double LOG2E = 1 / Math.log(2);
    /** The softmax constants as vectors (see VectorMath on why constant vectors rather than float arguments). */
    private static final FloatVector V_ONE = FloatVector.broadcast(F, 1f), V_LOG2E = FloatVector.broadcast(F, (float) LOG2E);

    private final KernelPool pool;

    VectorRowKernels(KernelPool pool) {
        this.pool = pool;
    }

    private void parallel(long count, long elementsPerRow, Chunk body) {
        VectorLoops.parallel(pool, count, elementsPerRow, body);
    }

    // ------------------------------------------------------------------ RMSNorm

    /*
     * RMSNorm needs a row's sum of squares before it can write the row, so a plain loop reads the
     * row from memory (loads only), then scales it from L1 (stores only), and neither phase keeps
     * both directions of the memory bus busy. Here the scaling of row r runs in the same loop as
     * the sum of squares of row r + 1: the next row streams in while this one streams out.
     * Both loops add in the same order as dot(), so a row's result does not depend on whether it
     * opens its chunk.
     */

    void rmsNorm(int rows, int dim, float eps, float weightOffset, MemorySegment x, MemorySegment w,
                 MemorySegment out, MemorySegment rstd) {
        requireFloats(x, (long) rows * dim, "rmsNorm x [rows, dim]");
        requireFloats(out, (long) rows * dim, "rmsNorm out [rows, dim]");
        requireFloats(rstd, rows, "rmsNorm rstd [rows]");
        if (w != null) requireFloats(w, dim, "rmsNorm w [dim]");
        float[] gain = gain(w, weightOffset, dim);
        parallel(rows, dim, (chunk, from, to) -> {
            if (from == to) return;
            float sumOfSquares = dot(x, from * dim, x, from * dim, dim);
            for (long r = from; r < to; r++) {
                float inv = (float) (1 / Math.sqrt(sumOfSquares / dim + eps));
                put(rstd, r, inv);
                if (r + 1 < to) sumOfSquares = scaleRowAndSumNext(x, r * dim, dim, inv, gain, out);
                else scaleRow(x, r * dim, dim, inv, gain, out);
            }
        });
    }

    /** weightOffset + w[d] for each d (all ones without a weight), computed once per call instead of once per row. */
    private static float[] gain(MemorySegment w, float weightOffset, int dim) {
        float[] gain = new float[dim];
        if (w == null) {
            java.util.Arrays.fill(gain, 1f);
            return gain;
        }
        int d = 0;
        for (int vectorEnd = VectorWidth.loopBound(dim); d < vectorEnd; d += L) load(w, d).add(weightOffset).intoArray(gain, d);
        for (; d < dim; d++) gain[d] = weightOffset + get(w, d);
        return gain;
    }

    /** out = x·inv·gain over the row at base. */
    private static void scaleRow(MemorySegment x, long base, int dim, float inv, float[] gain, MemorySegment out) {
        int d = 0;
        for (int vectorEnd = VectorWidth.loopBound(dim); d < vectorEnd; d += L)
            store(load(x, base + d).mul(inv).mul(FloatVector.fromArray(F, gain, d)), out, base + d);
        for (; d < dim; d++) put(out, base + d, get(x, base + d) * inv * gain[d]);
    }

    /** {@link #scaleRow} of the row at base, returning the next row's sum of squares (added as dot() adds). */
    private static float scaleRowAndSumNext(MemorySegment x, long base, int dim, float inv, float[] gain, MemorySegment out) {
        long next = base + dim;
        int vectorEnd = VectorWidth.loopBound(dim), blockEnd = vectorEnd - vectorEnd % (4 * L);
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        int d = 0;
        for (; d < blockEnd; d += 4 * L) {
            FloatVector n0 = load(x, next + d), n1 = load(x, next + d + L), n2 = load(x, next + d + 2 * L), n3 = load(x, next + d + 3 * L);
            acc0 = n0.fma(n0, acc0);
            acc1 = n1.fma(n1, acc1);
            acc2 = n2.fma(n2, acc2);
            acc3 = n3.fma(n3, acc3);
            for (int k = d; k < d + 4 * L; k += L)
                store(load(x, base + k).mul(inv).mul(FloatVector.fromArray(F, gain, k)), out, base + k);
        }
        for (; d < vectorEnd; d += L) {
            FloatVector n0 = load(x, next + d);
            acc0 = n0.fma(n0, acc0);
            store(load(x, base + d).mul(inv).mul(FloatVector.fromArray(F, gain, d)), out, base + d);
        }
        float sum = vectorEnd > 0 ? VectorMath.sum(acc0.add(acc1).add(acc2.add(acc3))) : 0f;
        for (; d < dim; d++) {
            float v = get(x, next + d);
            sum = Math.fma(v, v, sum);
            put(out, base + d, get(x, base + d) * inv * gain[d]);
        }
        return sum;
    }

    void rmsNormBackward(int rows, int dim, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment rstd,
                         MemorySegment dOut, MemorySegment dx, MemorySegment dw) {
        requireFloats(x, (long) rows * dim, "rmsNorm x [rows, dim]");
        requireFloats(dOut, (long) rows * dim, "rmsNorm dOut [rows, dim]");
        requireFloats(dx, (long) rows * dim, "rmsNorm dx [rows, dim]");
        requireFloats(rstd, rows, "rmsNorm rstd [rows]");
        if (w != null) requireFloats(w, dim, "rmsNorm w [dim]");
        if (w != null && dw != null) requireFloats(dw, dim, "rmsNorm dw [dim]");
        int vectorEnd = VectorWidth.loopBound(dim);
        boolean weightGrad = w != null && dw != null;
        int chunks = chunks(rows, dim);
        // dw: each chunk sums its rows into its own partial row; the partials are then added in
        // chunk order, so the sum's order depends only on the sizes
        float[] partials = weightGrad ? new float[chunks * dim] : null;
        parallel(rows, dim, (chunk, from, to) -> {
            for (long r = from; r < to; r++) {
                long base = r * dim;
                float inv = get(rstd, r);
                // y = x·inv·g: dx = inv·g·dy − x·inv³/dim · Σ g·dy·x
                float gdx = weightedDot(dOut, x, w, weightOffset, base, dim);
                float coefficient = inv * inv * inv * gdx / dim;
                int d = 0;
                for (; d < vectorEnd; d += L) {
                    FloatVector dy = load(dOut, base + d), xv = load(x, base + d);
                    FloatVector g = w == null ? dy : dy.mul(load(w, d).add(weightOffset));
                    store(g.mul(inv).sub(xv.mul(coefficient)), dx, base + d);
                    if (weightGrad) {
                        int at = chunk * dim + d;
                        dy.mul(xv).mul(inv).add(FloatVector.fromArray(F, partials, at)).intoArray(partials, at);
                    }
                }
                for (; d < dim; d++) {
                    float dy = get(dOut, base + d), xv = get(x, base + d);
                    float g = w == null ? dy : dy * (weightOffset + get(w, d));
                    put(dx, base + d, g * inv - xv * coefficient);
                    if (weightGrad) partials[chunk * dim + d] += dy * xv * inv;
                }
            }
        });
        if (!weightGrad) return;
        int d = 0;
        for (; d < vectorEnd; d += L) {
            FloatVector sum = load(dw, d);
            for (int c = 0; c < chunks; c++) sum = sum.add(FloatVector.fromArray(F, partials, c * dim + d));
            store(sum, dw, d);
        }
        for (; d < dim; d++) {
            float sum = get(dw, d);
            for (int c = 0; c < chunks; c++) sum += partials[c * dim + d];
            put(dw, d, sum);
        }
    }

    /**
     * Σ a·b over n elements from each base. Four accumulators: with one, each fused multiply-add
     * waits for the previous one's result (4 cycles) and the loop runs at a quarter of the loads' pace.
     */
    private static float dot(MemorySegment a, long aBase, MemorySegment b, long bBase, int n) {
        int vectorEnd = VectorWidth.loopBound(n), blockEnd = vectorEnd - vectorEnd % (4 * L);
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        int d = 0;
        for (; d < blockEnd; d += 4 * L) {
            acc0 = load(a, aBase + d).fma(load(b, bBase + d), acc0);
            acc1 = load(a, aBase + d + L).fma(load(b, bBase + d + L), acc1);
            acc2 = load(a, aBase + d + 2 * L).fma(load(b, bBase + d + 2 * L), acc2);
            acc3 = load(a, aBase + d + 3 * L).fma(load(b, bBase + d + 3 * L), acc3);
        }
        for (; d < vectorEnd; d += L) acc0 = load(a, aBase + d).fma(load(b, bBase + d), acc0);
        float sum = vectorEnd > 0 ? VectorMath.sum(acc0.add(acc1).add(acc2.add(acc3))) : 0f;
        for (; d < n; d++) sum = Math.fma(get(a, aBase + d), get(b, bBase + d), sum);
        return sum;
    }

    /** Σ dy·x·(weightOffset + w) over a row (no weight factor when w is null). */
    private static float weightedDot(MemorySegment dy, MemorySegment x, MemorySegment w, float weightOffset, long base, int n) {
        if (w == null) return dot(dy, base, x, base, n);
        int vectorEnd = VectorWidth.loopBound(n);
        FloatVector acc = FloatVector.zero(F);
        int d = 0;
        for (; d < vectorEnd; d += L)
            acc = load(dy, base + d).mul(load(w, d).add(weightOffset)).fma(load(x, base + d), acc);
        float sum = vectorEnd > 0 ? VectorMath.sum(acc) : 0f;
        for (; d < n; d++) sum = Math.fma(get(dy, base + d) * (weightOffset + get(w, d)), get(x, base + d), sum);
        return sum;
    }

    // ------------------------------------------------------------------ softmax

    /*
     * softmax takes a row in three passes: its max (from memory), exp(x − max) into out with
     * their sum (from L1), and out scaled by 1/sum. It is bound by the exp's arithmetic more than
     * by memory (one thread runs it nearly as fast from L2 as from memory), so the exp is trimmed:
     * e^(x − max) = 2^(x·log2 e − max·log2 e), one fused multiply-add, whose single rounding
     * adds a relative error of about |x − max|·2^-24 to each output; the rounding of max·log2 e
     * shifts every exponent of the row alike, so it scales every exp by the same factor and
     * cancels in the division by their sum. The exponents are then at most a rounding above 0,
     * which lets VectorMath.exp2NonPositive skip the upper clamp (with its degree-5 polynomial,
     * 15-20% faster than exp2 here). A row whose max is beyond ±1e37 (fully masked, infinite or
     * NaN) would overflow max·log2 e and takes the scalar path. (Taking the next row's max inside
     * this row's exp loop, to overlap its memory reads with the arithmetic, measured 25% slower.)
     *
     * Each pass is a method taking no vectors, and vectors after expRow's loop only meet
     * ForceInline Vector API calls: that loop alone creates C2's NodeCountInliningCutoff worth of
     * nodes (see VectorMath), so an ordinary method called after it in the same compilation stays
     * a call, and a vector crossing it would be boxed.
     */

    /** Rows whose max is at least this large in magnitude (or not finite) take {@link #expRowScalar}. */
    private static final float FUSED_SHIFT_MAX = 1e37f;

    void softmax(int rows, int cols, MemorySegment x, MemorySegment out) {
        requireFloats(x, (long) rows * cols, "softmax x [rows, cols]");
        requireFloats(out, (long) rows * cols, "softmax out [rows, cols]");
        parallel(rows, cols, (chunk, from, to) -> {
            float[] lanes = new float[L];
            for (long r = from; r < to; r++) {
                long base = r * cols;
                float max = rowMax(x, base, cols);
                // out may be x: expRow reads each element before it writes it
                float sum = Math.abs(max) < FUSED_SHIFT_MAX ? expRow(x, out, base, cols, max, lanes) : expRowScalar(x, out, base, cols, max);
                scale(out, base, cols, 1f / sum);
            }
        });
    }

    /**
     * The row's largest element (NaN and the sign of zero aside: a NaN makes the row's sum, so
     * every output, NaN anyway). Kept by compare and blend, two instructions, where Java's max,
     * which must propagate NaN and order −0 below +0, takes several; two running maxima, so that
     * no single chain of them bounds the loop.
     */
    private static float rowMax(MemorySegment x, long base, int cols) {
        int vectorEnd = VectorWidth.loopBound(cols), c = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (vectorEnd > 0) {
            FloatVector m0 = load(x, base), m1 = m0;
            for (c = L; c + 2 * L <= vectorEnd; c += 2 * L) {
                FloatVector v0 = load(x, base + c), v1 = load(x, base + c + L);
                m0 = m0.blend(v0, m0.compare(VectorOperators.LT, v0));
                m1 = m1.blend(v1, m1.compare(VectorOperators.LT, v1));
            }
            for (; c < vectorEnd; c += L) {
                FloatVector v = load(x, base + c);
                m0 = m0.blend(v, m0.compare(VectorOperators.LT, v));
            }
            max = m0.max(m1).reduceLanes(VectorOperators.MAX);
        }
        for (; c < cols; c++) max = Math.max(max, get(x, base + c));
        return max;
    }

    /**
     * Writes exp(x − max) over the row at base to out and returns their sum: the pairs of vectors
     * (summed lane-wise, then across lanes through lanes, a scratch of L floats), one more vector,
     * then single elements, in that order.
     */
    private static float expRow(MemorySegment x, MemorySegment out, long base, int cols, float max, float[] lanes) {
        int vectorEnd = VectorWidth.loopBound(cols), c = 0;
        float negMaxLog2e = -max * (float) LOG2E;
        FloatVector acc = FloatVector.zero(F), shift = FloatVector.broadcast(F, negMaxLog2e);
        for (; c + 2 * L <= vectorEnd; c += 2 * L) {
            long at = (base + c) * Float.BYTES;
            FloatVector e0 = VectorMath.exp2NonPositive(FloatVector.fromMemorySegment(F, x, at, ORDER).fma(V_LOG2E, shift));
            FloatVector e1 = VectorMath.exp2NonPositive(FloatVector.fromMemorySegment(F, x, at + L * Float.BYTES, ORDER).fma(V_LOG2E, shift));
            e0.intoMemorySegment(out, at, ORDER);
            e1.intoMemorySegment(out, at + L * Float.BYTES, ORDER);
            acc = acc.add(e0).add(e1);
        }
        acc.intoArray(lanes, 0);
        float sum = VectorMath.sum(lanes, 0);
        if (c < vectorEnd) {
            sum += expVector(x, out, base + c, negMaxLog2e, lanes);
            c += L;
        }
        // the last columns with the vectors' exponent (the same rounded shift), so that it still cancels
        for (; c < cols; c++) {
            float e = (float) StrictMath.pow(2, Math.fma(get(x, base + c), (float) LOG2E, negMaxLog2e));
            put(out, base + c, e);
            sum += e;
        }
        return sum;
    }

    /** exp(x − max) of the row's columns one at a time, written to out; returns their sum. */
    private static float expRowScalar(MemorySegment x, MemorySegment out, long base, int cols, float max) {
        float sum = 0f;
        for (int c = 0; c < cols; c++) {
            float e = (float) StrictMath.exp(get(x, base + c) - max);
            put(out, base + c, e);
            sum += e;
        }
        return sum;
    }

    /** exp(x − max) of the vector at element at, as 2^(x·log2 e + negMaxLog2e), stored to out; returns its lane sum. */
    private static float expVector(MemorySegment x, MemorySegment out, long at, float negMaxLog2e, float[] lanes) {
        FloatVector t = FloatVector.fromMemorySegment(F, x, at * Float.BYTES, ORDER).fma(V_LOG2E, FloatVector.broadcast(F, negMaxLog2e));
        FloatVector e = VectorMath.exp2NonPositive(t);
        e.intoMemorySegment(out, at * Float.BYTES, ORDER);
        e.intoArray(lanes, 0);
        return VectorMath.sum(lanes, 0);
    }

    /** out[base ..+cols] *= inv. */
    private static void scale(MemorySegment out, long base, int cols, float inv) {
        int vectorEnd = VectorWidth.loopBound(cols), c = 0;
        for (; c < vectorEnd; c += L) {
            long at = (base + c) * Float.BYTES;
            FloatVector.fromMemorySegment(F, out, at, ORDER).mul(inv).intoMemorySegment(out, at, ORDER);
        }
        for (; c < cols; c++) put(out, base + c, get(out, base + c) * inv);
    }

    void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        requireFloats(y, (long) rows * cols, "softmax y [rows, cols]");
        requireFloats(dy, (long) rows * cols, "softmax dy [rows, cols]");
        requireFloats(dx, (long) rows * cols, "softmax dx [rows, cols]");
        int vectorEnd = VectorWidth.loopBound(cols);
        parallel(rows, cols, (chunk, from, to) -> {
            for (long r = from; r < to; r++) {
                long base = r * cols;
                float dot = dot(y, base, dy, base, cols);
                int c = 0;
                for (; c < vectorEnd; c += L) store(load(y, base + c).mul(load(dy, base + c).sub(dot)), dx, base + c);
                for (; c < cols; c++) put(dx, base + c, get(y, base + c) * (get(dy, base + c) - dot));
            }
        });
    }
}
