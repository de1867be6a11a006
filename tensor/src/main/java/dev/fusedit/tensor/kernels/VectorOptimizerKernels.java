package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static dev.fusedit.tensor.kernels.VectorLoops.*;

/**
 * The optimizer's kernels on the Vector API, over the flat parameter, gradient and moment buffers:
 * AdamW, the gradients' sum of squares and scaling (clipping by global norm), and the EMA update.
 * Work is cut into chunks run on the pool ({@link VectorLoops}).
 */
final class VectorOptimizerKernels {

    private final KernelPool pool;

    VectorOptimizerKernels(KernelPool pool) {
        this.pool = pool;
    }

    private void parallel(long count, long elementsPerRow, Chunk body) {
        VectorLoops.parallel(pool, count, elementsPerRow, body);
    }

    // ------------------------------------------------------------------ AdamW

    void adamw(long n, AdamWStep st, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v) {
        requireFloats(param, n, "adamw param");
        requireFloats(grad, n, "adamw grad");
        requireFloats(m, n, "adamw m");
        requireFloats(v, n, "adamw v");
        float b1 = st.beta1(), b2 = st.beta2(), lr = st.lr(), wd = st.weightDecay(), eps = st.eps();
        float invBc1 = 1f / st.biasCorrection1(), invBc2 = 1f / st.biasCorrection2();
        parallel(n, 1, (chunk, from, to) -> {
            for (long at = from; at < to; at += BLOCK)
                adamwBlock(param, grad, m, v, at, (int) Math.min(BLOCK, to - at), b1, b2, lr, wd, eps, invBc1, invBc2);
        });
    }

    private static void adamwBlock(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long base, int count,
                                   float b1, float b2, float lr, float wd, float eps, float invBc1, float invBc2) {
        int i = 0;
        for (int vectorEnd = VectorWidth.loopBound(count); i < vectorEnd; i += L) {
            long at = base + i;
            FloatVector g = load(grad, at), p = load(param, at);
            FloatVector mi = load(m, at).mul(b1).add(g.mul(1 - b1));
            FloatVector vi = load(v, at).mul(b2).add(g.mul(g).mul(1 - b2));
            store(mi, m, at);
            store(vi, v, at);
            FloatVector update = mi.mul(invBc1).div(vi.mul(invBc2).sqrt().add(eps));
            store(p.sub(p.mul(wd).add(update).mul(lr)), param, at);
        }
        for (; i < count; i++) {
            long at = base + i;
            float g = get(grad, at), p = get(param, at);
            float mi = b1 * get(m, at) + (1 - b1) * g;
            float vi = b2 * get(v, at) + (1 - b2) * g * g;
            put(m, at, mi);
            put(v, at, vi);
            float update = mi * invBc1 / ((float) Math.sqrt(vi * invBc2) + eps);
            put(param, at, p - lr * (wd * p + update));
        }
    }

    // ------------------------------------------------------------------ gradient clipping and EMA

    /** Elements whose squares are summed in float lanes before the partial sum joins the double total. */
    static final int NORM_CHUNK = 4096;

    /**
     * Σ x² in NORM_CHUNK pieces: each piece in float lanes (reduced, then its tail added in double),
     * the pieces' sums added in double in order. The pieces run on the pool, but their sums are kept
     * apart and added afterwards in order, so the result does not depend on the thread count.
     */
    double sumOfSquares(long n, MemorySegment x) {
        requireFloats(x, n, "sumOfSquares x");
        int pieces = Math.toIntExact((n + NORM_CHUNK - 1) / NORM_CHUNK);
        double[] partial = new double[pieces];
        parallel(pieces, NORM_CHUNK, (chunk, from, to) -> {
            for (long p = from; p < to; p++) partial[(int) p] = squaresOfPiece(x, p * NORM_CHUNK, Math.min(n, (p + 1) * NORM_CHUNK));
        });
        double total = 0;
        for (double part : partial) total += part;
        return total;
    }

    private static double squaresOfPiece(MemorySegment x, long start, long end) {
        long vectorEnd = start + VectorWidth.loopBound(end - start);
        FloatVector acc = FloatVector.zero(F);
        long i = start;
        for (; i < vectorEnd; i += L) {
            FloatVector g = load(x, i);
            acc = g.fma(g, acc);
        }
        double part = acc.reduceLanes(VectorOperators.ADD);
        for (; i < end; i++) {
            double g = get(x, i);
            part += g * g;
        }
        return part;
    }

    void scale(long n, float c, MemorySegment x) {
        requireFloats(x, n, "scale x");
        parallel(n, 1, (chunk, from, to) -> {
            for (long at = from; at < to; at += BLOCK) {
                int count = (int) Math.min(BLOCK, to - at), i = 0;
                for (int vectorEnd = VectorWidth.loopBound(count); i < vectorEnd; i += L) store(load(x, at + i).mul(c), x, at + i);
                for (; i < count; i++) put(x, at + i, get(x, at + i) * c);
            }
        });
    }

    void emaUpdate(long n, float decay, MemorySegment ema, MemorySegment param) {
        requireFloats(ema, n, "ema shadow");
        requireFloats(param, n, "ema param");
        float keep = decay, take = 1 - decay;
        parallel(n, 1, (chunk, from, to) -> {
            for (long at = from; at < to; at += BLOCK) {
                int count = (int) Math.min(BLOCK, to - at), i = 0;
                // two products and a sum, each rounded to float: the same values as the scalar tail
                for (int vectorEnd = VectorWidth.loopBound(count); i < vectorEnd; i += L)
                    store(load(ema, at + i).mul(keep).add(load(param, at + i).mul(take)), ema, at + i);
                for (; i < count; i++) put(ema, at + i, keep * get(ema, at + i) + take * get(param, at + i));
            }
        });
    }
}
