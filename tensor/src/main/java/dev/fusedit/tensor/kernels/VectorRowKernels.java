package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row-wise and element-wise kernels (RoPE, RMSNorm, GeGLU, softmax, AdamW) on the Vector
 * API, reading and writing the segments directly. Work is cut into contiguous chunks of rows
 * (or elements) run on the pool; calls smaller than {@link #SERIAL_ELEMENTS} run on the caller.
 * The chunking depends only on the sizes, never on the thread count, so the one cross-row sum
 * (RMSNorm's dw) is reduced in the same order on every machine.
 */
final class VectorRowKernels {
    /** Below this many elements a call runs on the calling thread: forking would cost more than it saves. */
    static final long SERIAL_ELEMENTS = 32 * 1024;
    /**
     * Elements per inner loop of the element-wise kernels (GeGLU, AdamW). Their loops count with an
     * int within a block rather than with a long over the chunk: C2 turns a long-counted loop over
     * MemorySegment accesses into a loop nest with profiled predicates, and on the bench's 16M
     * elements geglu's kept failing them ("profile_predicate" deoptimization), recompiling
     * dozens of times and running at 1-2 GB/s in between. Small enough that the tests' sizes
     * cross block ends (the call per block costs nothing next to 16K elements).
     */
    private static final int BLOCK = 1 << 14;
    /** Most chunks one call is cut into (bounds the dw partial buffers). */
    private static final int MAX_CHUNKS = 64;

    private static final VectorSpecies<Float> F = VectorWidth.F;
    private static final int L = VectorWidth.LANES;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final float GELU_C = (float) ScalarKernels.GELU_C;
    private static final float GELU_K = 0.044715f;
    private static final double LOG2E = 1 / Math.log(2);
    /**
     * −2u·log2 e = x·(T1 + T3·x²): gelu's logistic form e^(−2u) as a power of two (see
     * VectorMath.exp2: the exponent's own rounding error already matches what log2 e adds).
     */
    private static final float T1 = (float) (-2 * ScalarKernels.GELU_C * LOG2E), T3 = (float) (-2 * ScalarKernels.GELU_C * GELU_K * LOG2E);
    /** The GeGLU and softmax constants as vectors (see VectorMath on why constant vectors rather than float arguments). */
    private static final FloatVector V_T1 = FloatVector.broadcast(F, T1), V_T3 = FloatVector.broadcast(F, T3),
            V_3K = FloatVector.broadcast(F, 3 * GELU_K), V_2C = FloatVector.broadcast(F, 2 * GELU_C), V_ONE = FloatVector.broadcast(F, 1f),
            V_LOG2E = FloatVector.broadcast(F, (float) LOG2E);

    private final KernelPool pool;

    VectorRowKernels(KernelPool pool) {
        this.pool = pool;
    }

    /** Work over rows (or elements) [from, to), which are chunk number chunk of the call. */
    @FunctionalInterface
    private interface Chunk {
        void run(int chunk, long from, long to);
    }

    /** Chunks that count rows of width elementsPerRow cut into: 1 for small calls, at most MAX_CHUNKS. */
    private static int chunks(long count, long elementsPerRow) {
        long elements = count * elementsPerRow;
        if (elements < SERIAL_ELEMENTS) return 1;
        return (int) Math.min(Math.min(MAX_CHUNKS, count), elements / (SERIAL_ELEMENTS / 2));
    }

    private static long chunkStart(long count, int chunks, int chunk) {
        return count * chunk / chunks;
    }

    /** Runs body over count rows in chunks(count, elementsPerRow) contiguous chunks. */
    private void parallel(long count, long elementsPerRow, Chunk body) {
        int chunks = chunks(count, elementsPerRow);
        if (chunks == 1) {
            body.run(0, 0, count);
            return;
        }
        pool.forEach(chunks, c -> body.run(c, chunkStart(count, chunks, c), chunkStart(count, chunks, c + 1)));
    }

    private static FloatVector load(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(F, s, element * Float.BYTES, ORDER);
    }

    private static void store(FloatVector v, MemorySegment s, long element) {
        v.intoMemorySegment(s, element * Float.BYTES, ORDER);
    }

    private static float get(MemorySegment s, long element) {
        return s.getAtIndex(FLOAT, element);
    }

    private static void put(MemorySegment s, long element, float value) {
        s.setAtIndex(FLOAT, element, value);
    }

    private static void requireFloats(MemorySegment segment, long elements, String what) {
        if (segment == null) throw new IllegalArgumentException(what + " is null");
        if (elements < 0) throw new IllegalArgumentException(what + ": negative size " + elements);
        if (segment.byteSize() < elements * Float.BYTES)
            throw new IllegalArgumentException(what + " needs " + elements + " floats, the segment holds " + segment.byteSize() / Float.BYTES);
    }

    // ------------------------------------------------------------------ RoPE

    void rope(RopeShape s, MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out, boolean inverse) {
        long elements = (long) s.batch() * s.seq() * s.heads() * s.headDim(), table = (long) s.cosBatches() * s.seq() * s.headDim();
        requireFloats(x, elements, "rope x [batch, seq, heads, headDim]");
        requireFloats(out, elements, "rope out [batch, seq, heads, headDim]");
        requireFloats(cos, table, "rope cos [cosBatches, seq, headDim]");
        requireFloats(sin, table, "rope sin [cosBatches, seq, headDim]");
        int D = s.headDim(), heads = s.heads(), seq = s.seq();
        boolean sharedTable = s.cosBatches() == 1;
        float sign = inverse ? -1f : 1f;
        // one "row" is one (batch, position): all heads share its cos/sin row
        parallel((long) s.batch() * seq, (long) heads * D, (chunk, from, to) -> {
            float[] signedSin = new float[D], firstHalf = new float[D / 2];
            for (long bt = from; bt < to; bt++) {
                long cs = ((sharedTable ? 0 : bt / seq) * seq + bt % seq) * D;
                ropePosition(x, cos, sin, out, bt * heads * D, cs, heads, D, sign, signedSin, firstHalf);
            }
        });
    }

    /**
     * RoPE of the heads vectors of one position starting at base, which share the cos/sin row at
     * cs. Each head's output is written front to back: its first half, then its second, with x's
     * first half kept in firstHalf (L1) for the second pass, since out may be x. Writing both halves
     * as they are computed makes two store streams half a head apart, and one stream in order was
     * 1.4x faster here (a row kernel's stores are its larger cost: each first reads the line it
     * writes). The position's sin row times sign goes to signedSin once for all heads.
     */
    private static void ropePosition(MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out,
                                     long base, long cs, int heads, int D, float sign, float[] signedSin, float[] firstHalf) {
        int half = D / 2, vectorEnd = VectorWidth.loopBound(half), rowEnd = VectorWidth.loopBound(D), d = 0;
        for (; d < rowEnd; d += L) load(sin, cs + d).mul(sign).intoArray(signedSin, d);
        for (; d < D; d++) signedSin[d] = sign * get(sin, cs + d);
        for (int h = 0; h < heads; h++) {
            long at = base + (long) h * D;
            for (d = 0; d < vectorEnd; d += L) {
                FloatVector x1 = load(x, at + d), x2 = load(x, at + d + half);
                x1.intoArray(firstHalf, d);
                store(x1.mul(load(cos, cs + d)).sub(x2.mul(FloatVector.fromArray(F, signedSin, d))), out, at + d);
            }
            for (; d < half; d++) {
                float x1 = get(x, at + d);
                firstHalf[d] = x1;
                put(out, at + d, x1 * get(cos, cs + d) - get(x, at + d + half) * signedSin[d]);
            }
            for (d = 0; d < vectorEnd; d += L) {
                FloatVector x1 = FloatVector.fromArray(F, firstHalf, d), x2 = load(x, at + half + d);
                store(x2.mul(load(cos, cs + half + d)).add(x1.mul(FloatVector.fromArray(F, signedSin, half + d))), out, at + half + d);
            }
            for (; d < half; d++)
                put(out, at + half + d, get(x, at + half + d) * get(cos, cs + half + d) + firstHalf[d] * signedSin[half + d]);
        }
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

    // ------------------------------------------------------------------ GeGLU

    /*
     * The vector loops use gelu_tanh(x) = ½x(1 + tanh u) = x·σ(2u) = x / (1 + e^(−2u)), u = c·(x + k·x³):
     * one exp and one division instead of tanh's exp, division, polynomial and blends. Besides
     * being cheaper, the smaller loop body stays under C2's inlining node budget; with tanh the
     * loads, stores and constants of the loop no longer inlined and every vector was boxed
     * (hundreds of MB allocated per call).
     *
     * The element-wise loops with an exp (GeGLU, softmax) take two vectors per step. Each vector's
     * exp is one long dependency chain; with one chain per step the core runs out of room for
     * waiting operations before it reaches the next step's loads, and both the arithmetic and the
     * memory stream stall (measured here: 1.3x faster from cache, 1.6-2x from memory with two;
     * four per step measured slower again).
     */

    void geglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        requireFloats(gate, n, "geglu gate");
        requireFloats(up, n, "geglu up");
        requireFloats(out, n, "geglu out");
        parallel(n, 1, (chunk, from, to) -> {
            for (long at = from; at < to; at += BLOCK) gegluBlock(gate, up, out, at, (int) Math.min(BLOCK, to - at));
        });
    }

    private static void gegluBlock(MemorySegment gate, MemorySegment up, MemorySegment out, long base, int count) {
        int i = 0, vectorEnd = VectorWidth.loopBound(count);
        for (; i + 2 * L <= vectorEnd; i += 2 * L) gegluVectors(gate, up, out, base + i, 2);
        if (i < vectorEnd) gegluVectors(gate, up, out, base + i, 1);
        for (i = vectorEnd; i < count; i++) put(out, base + i, gelu(get(gate, base + i)) * get(up, base + i));
    }

    /**
     * GeGLU of two vectors at at (the second only when vectors is 2). Vectors never cross a call
     * here other than VectorMath's (see there), so C2 not inlining this (or the one-vector call
     * after the loop) costs a call, not a heap box per vector.
     */
    private static void gegluVectors(MemorySegment gate, MemorySegment up, MemorySegment out, long at, int vectors) {
        long second = vectors == 2 ? at + L : at;
        FloatVector x0 = load(gate, at), x1 = load(gate, second);
        FloatVector d0 = VectorMath.onePlusExp2(x0.mul(x0).fma(V_T3, V_T1).mul(x0));
        FloatVector d1 = VectorMath.onePlusExp2(x1.mul(x1).fma(V_T3, V_T1).mul(x1));
        FloatVector.fromMemorySegment(F, up, at * Float.BYTES, ORDER).mul(x0).div(d0).intoMemorySegment(out, at * Float.BYTES, ORDER);
        if (vectors == 2)
            FloatVector.fromMemorySegment(F, up, second * Float.BYTES, ORDER).mul(x1).div(d1).intoMemorySegment(out, second * Float.BYTES, ORDER);
    }

    void gegluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp) {
        requireFloats(gate, n, "geglu gate");
        requireFloats(up, n, "geglu up");
        requireFloats(dOut, n, "geglu dOut");
        requireFloats(dGate, n, "geglu dGate");
        requireFloats(dUp, n, "geglu dUp");
        parallel(n, 1, (chunk, from, to) -> {
            for (long at = from; at < to; at += BLOCK) gegluBackwardBlock(gate, up, dOut, dGate, dUp, at, (int) Math.min(BLOCK, to - at));
        });
    }

    private static void gegluBackwardBlock(MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp,
                                           long base, int count) {
        int i = 0, vectorEnd = VectorWidth.loopBound(count);
        for (; i + 2 * L <= vectorEnd; i += 2 * L) gegluBackwardVectors(gate, up, dOut, dGate, dUp, base + i, 2);
        if (i < vectorEnd) gegluBackwardVectors(gate, up, dOut, dGate, dUp, base + i, 1);
        for (i = vectorEnd; i < count; i++) {
            long at = base + i;
            float x = get(gate, at), dy = get(dOut, at);
            float t = (float) StrictMath.tanh(GELU_C * (x + GELU_K * x * x * x));
            float grad = 0.5f * (1 + t) + 0.5f * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * x * x);
            put(dGate, at, dy * get(up, at) * grad);
            put(dUp, at, dy * 0.5f * x * (1 + t));
        }
    }

    /** GeGLU backward of two vectors at at (the second only when vectors is 2), arranged as {@link #gegluVectors}. */
    private static void gegluBackwardVectors(MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp,
                                             long at, int vectors) {
        long second = vectors == 2 ? at + L : at;
        FloatVector x0 = load(gate, at), x1 = load(gate, second);
        FloatVector sq0 = x0.mul(x0), sq1 = x1.mul(x1);
        // s = σ(2u) = ½(1 + tanh u); gelu = x·s; gelu' = s + x·½(1 − tanh² u)·u' = s·(1 + 2c·x·(1 − s)·(1 + 3k·x²))
        FloatVector s0 = V_ONE.div(VectorMath.onePlusExp2(sq0.fma(V_T3, V_T1).mul(x0)));
        FloatVector s1 = V_ONE.div(VectorMath.onePlusExp2(sq1.fma(V_T3, V_T1).mul(x1)));
        // only ForceInline Vector API calls from here on: no vector crosses a call that C2 might leave uninlined
        long b0 = at * Float.BYTES, b1 = second * Float.BYTES;
        FloatVector dyS0 = FloatVector.fromMemorySegment(F, dOut, b0, ORDER).mul(s0), dyS1 = FloatVector.fromMemorySegment(F, dOut, b1, ORDER).mul(s1);
        FloatVector slope0 = sq0.fma(V_3K, V_ONE).mul(x0).mul(V_ONE.sub(s0)).fma(V_2C, V_ONE);
        FloatVector slope1 = sq1.fma(V_3K, V_ONE).mul(x1).mul(V_ONE.sub(s1)).fma(V_2C, V_ONE);
        dyS0.mul(FloatVector.fromMemorySegment(F, up, b0, ORDER)).mul(slope0).intoMemorySegment(dGate, b0, ORDER);
        dyS0.mul(x0).intoMemorySegment(dUp, b0, ORDER);
        if (vectors == 2) {
            dyS1.mul(FloatVector.fromMemorySegment(F, up, b1, ORDER)).mul(slope1).intoMemorySegment(dGate, b1, ORDER);
            dyS1.mul(x1).intoMemorySegment(dUp, b1, ORDER);
        }
    }
    private static float gelu(float x) {
        return 0.5f * x * (1 + (float) StrictMath.tanh(GELU_C * (x + GELU_K * x * x * x)));
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
}
