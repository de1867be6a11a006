package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

import static dev.fusedit.tensor.kernels.VectorLoops.*;

/**
 * The position-wise and element-wise kernels on the Vector API: RoPE (per position, all heads
 * sharing its cos/sin row) and GeGLU forward and backward. Work is cut into chunks run on the pool
 * ({@link VectorLoops}).
 */
final class VectorPointwiseKernels {
    private static final float GELU_C = (float) ScalarKernels.GELU_C;
    private static final float GELU_K = 0.044715f;
    private static final double LOG2E = 1 / Math.log(2);
    /**
     * −2u·log2 e = x·(T1 + T3·x²): gelu's logistic form e^(−2u) as a power of two (see
     * VectorMath.exp2: the exponent's own rounding error already matches what log2 e adds).
     */
    private static final float T1 = (float) (-2 * ScalarKernels.GELU_C * LOG2E), T3 = (float) (-2 * ScalarKernels.GELU_C * GELU_K * LOG2E);
    /** The GeGLU constants as vectors (see VectorMath on why constant vectors rather than float arguments). */
    private static final FloatVector V_T1 = FloatVector.broadcast(F, T1), V_T3 = FloatVector.broadcast(F, T3),
            V_3K = FloatVector.broadcast(F, 3 * GELU_K), V_2C = FloatVector.broadcast(F, 2 * GELU_C), V_ONE = FloatVector.broadcast(F, 1f);

    private final KernelPool pool;

    VectorPointwiseKernels(KernelPool pool) {
        this.pool = pool;
    }

    private void parallel(long count, long elementsPerRow, Chunk body) {
        VectorLoops.parallel(pool, count, elementsPerRow, body);
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
}
