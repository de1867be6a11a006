package dev.fusedit.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * exp, 2^x and tanh built from plain IEEE arithmetic (multiply, fused multiply-add, compare, bit
 * moves). The Vector API's own EXP and TANH call a native math library once C2 compiles the
 * loop but a Java fallback before that, and the two differ in the last bit, so a kernel's result
 * could depend on how warm the JIT was. These give the same bits in every tier, which is what
 * makes a resumed training run repeat an uninterrupted one exactly. Accuracy (measured over 16M
 * arguments at each width): within 1.5 ulp (exp, exp2), 2 ulp (onePlusExp2), 4e-7 relative (tanh).
 *
 * <p>Speed: a row kernel spends most of its arithmetic here (GeGLU, softmax), and what bounds it
 * is the length of each vector's dependency chain as much as the count of operations: the core
 * holds only so many waiting operations. So the polynomials are evaluated in Estrin's form (three
 * dependent steps after r², not six) and the exponent bias rides in the rounding constant.
 * {@link #exp2} saves exp's two-step reduction by ln 2 (two of its eleven multiply-class
 * operations) for callers whose argument carries a relative rounding error of its own anyway,
 * so that scaling it by log2 e costs no accuracy that was there (GeGLU's exponent) or only
 * where the result is negligible (softmax's x − max).
 */
public final class VectorMath {
    private VectorMath() {}

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /**
     * 1.5·2^23 + 127. Adding it to t (|t| < 2^22) rounds t to an integer n and leaves n + 127 (the
     * biased exponent of 2^n, in [0, 254] for the clamped arguments) in the low bits of the sum,
     * whose 9 bits above the mantissa are clear, so the sum's bits shifted left by 23 are 2^n.
     */
    private static final float ROUND_BIASED = 12582912f + 127;
    /**
     * The arguments are clamped to [MIN_ARG2, MAX_ARG2] (for exp, the same times ln 2). At the low
     * end n = −127, whose biased exponent 0 makes 2^n, as built from the bits, exactly 0: so the
     * result is 0 below about 2^-126.5 (float's smallest normal is 2^-126) without a compare and
     * blend. At the high end, 2^127·√2 is the largest value reached.
     */
    private static final float MIN_ARG2 = -127f, MAX_ARG2 = 127f;
    private static final float MIN_ARG = -88.02969f, MAX_ARG = 88.0f;

    /*
     * The constants as vectors of the kernels' species. A float argument (x.mul(0.5f)) makes C2
     * parse a broadcast at every use; a constant vector is a few nodes. That matters: a loop body
     * whose parse passes C2's node budget (NodeCountInliningCutoff) stops inlining vector calls,
     * and every vector that crosses a call is then boxed on the heap.
     */
    private static FloatVector c(float value) {
        return FloatVector.broadcast(VectorWidth.F, value);
    }

    private static final FloatVector V_LOG2E = c(LOG2E), V_ROUND_BIASED = c(ROUND_BIASED), V_MIN_ARG = c(MIN_ARG), V_MAX_ARG = c(MAX_ARG),
            V_MIN_ARG2 = c(MIN_ARG2), V_MAX_ARG2 = c(MAX_ARG2), V_NEG_LN2_HI = c(-LN2_HI), V_NEG_LN2_LO = c(-LN2_LO),
            ONE = c(1f), TWO = c(2f), ZERO = c(0f);
    /*
     * Minimax coefficients for relative error with the constant term held at 1 (so e^0 and 2^0
     * are exactly 1), found by Remez exchange in 40-digit arithmetic: e^r on [−ln2/2, ln2/2]
     * (error 3.9e-9 before rounding to float) and 2^f on [−1/2, 1/2] (3.9e-9).
     */
    private static final FloatVector E1 = c(1.0000001192092896f), E2 = c(0.5f), E3 = c(0.166663259267807f),
            E4 = c(0.041666239500045776f), E5 = c(0.00838111899793148f), E6 = c(0.0013948592822998762f);
    private static final FloatVector P1 = c(0.6931472420692444f), P2 = c(0.24022650718688965f), P3 = c(0.05550297349691391f),
            P4 = c(0.009618030861020088f), P5 = c(0.0013410000829026103f), P6 = c(0.00015469732170458883f);
    /**
     * Degree 5 for 2^f on [−1/2, 1/2], minimax for relative error with the constant held at 1
     * (linear programming over 20,001 points; 8.7e-8 before rounding to float, 1e-7 after).
     */
    private static final FloatVector S1 = c(0.6931470036506653f), S2 = c(0.24022231996059418f), S3 = c(0.05550685152411461f),
            S4 = c(0.009671973995864391f), S5 = c(0.0013277654070407152f);

    /*
     * Each function below makes one ordinary call (polynomial) and then only ForceInline Vector
     * API calls. C2 stops inlining ordinary methods once a compilation has created
     * NodeCountInliningCutoff (18000) nodes, dead ones included, and a loop doing two vectors'
     * exps gets there; a helper called late (as a separate 2^n step was) then stayed a call, and
     * every vector passed to it was boxed on the heap.
     */

    /** e^x per lane, x of species {@link VectorWidth#F}; 0 below about e^-87.7, inputs clamped at 88. */
    public static FloatVector exp(FloatVector x) {
        FloatVector cx = x.max(V_MIN_ARG).min(V_MAX_ARG);
        FloatVector shifted = cx.fma(V_LOG2E, V_ROUND_BIASED);
        // r = x − n·ln 2 in [−ln2/2, ln2/2], ln 2 in two parts so that n·LN2_HI is exact
        FloatVector n = shifted.sub(V_ROUND_BIASED);
        FloatVector r = n.fma(V_NEG_LN2_LO, n.fma(V_NEG_LN2_HI, cx));
        FloatVector er = polynomial(r, E1, E2, E3, E4, E5, E6);
        return er.mul(shifted.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** 2^t per lane (species {@link VectorWidth#F}); 0 below about 2^-126.5, inputs clamped at 127. */
    public static FloatVector exp2(FloatVector t) {
        FloatVector ct = t.max(V_MIN_ARG2).min(V_MAX_ARG2);
        FloatVector shifted = ct.add(V_ROUND_BIASED);
        FloatVector f = ct.sub(shifted.sub(V_ROUND_BIASED)); // exact, in [−1/2, 1/2]
        FloatVector pf = polynomial(f, P1, P2, P3, P4, P5, P6);
        return pf.mul(shifted.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /**
     * 1 + 2^t per lane (species {@link VectorWidth#F}), the denominator of the logistic function,
     * with the add in exp2's last multiply; t is clamped to [−127, 127], where 1 + 2^t is 1 or far
     * past any use.
     */
    public static FloatVector onePlusExp2(FloatVector t) {
        FloatVector ct = t.max(V_MIN_ARG2).min(V_MAX_ARG2);
        FloatVector shifted = ct.add(V_ROUND_BIASED);
        FloatVector f = ct.sub(shifted.sub(V_ROUND_BIASED));
        FloatVector pf = polynomial(f, P1, P2, P3, P4, P5, P6);
        return pf.fma(shifted.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats(), ONE);
    }

    /**
     * 2^t per lane for t at most a little above 0 (species {@link VectorWidth#F}), as softmax's
     * exponents x·log2 e − max·log2 e are; within 2.5 ulp, 0 below about 2^-126.5. Three
     * operations fewer than {@link #exp2}, which matters because softmax is bound by this
     * arithmetic, not by memory: no upper clamp (t must stay below 127) and a degree-5 polynomial.
     */
    public static FloatVector exp2NonPositive(FloatVector t) {
        FloatVector ct = t.max(V_MIN_ARG2);
        FloatVector shifted = ct.add(V_ROUND_BIASED);
        FloatVector f = ct.sub(shifted.sub(V_ROUND_BIASED));
        // Estrin as in polynomial(), one coefficient fewer: (1 + s1·f) + f²·((s2 + s3·f) + f²·(s4 + s5·f))
        FloatVector f2 = f.mul(f);
        FloatVector pf = f2.fma(f2.fma(f.fma(S5, S4), f.fma(S3, S2)), f.fma(S1, ONE));
        return pf.mul(shifted.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** 1 + c1·r + ... + c6·r⁶ in Estrin's form: (1 + c1·r) + r²·((c2 + c3·r) + r²·((c4 + c5·r) + r²·c6)). */
    private static FloatVector polynomial(FloatVector r, FloatVector c1, FloatVector c2, FloatVector c3,
                                          FloatVector c4, FloatVector c5, FloatVector c6) {
        FloatVector r2 = r.mul(r);
        FloatVector low = r.fma(c1, ONE), mid = r.fma(c3, c2), high = r.fma(c5, c4);
        return r2.fma(r2.fma(r2.fma(c6, high), mid), low);
    }

    /** For lane i, lane i + 2^s (mod the lane count): the partners of {@link #sum}'s pairwise steps. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] HALVING = halvingShuffles();

    private static VectorShuffle<Float>[] halvingShuffles() {
        int lanes = VectorWidth.F.length(), steps = Integer.numberOfTrailingZeros(lanes);
        VectorShuffle<Float>[] out = new VectorShuffle[steps];
        for (int s = 0, half = lanes / 2; half >= 1; s++, half /= 2) {
            int h = half;
            out[s] = VectorShuffle.fromOp(VectorWidth.F, i -> (i + h) % lanes);
        }
        return out;
    }

    /**
     * The sum of the lanes in a fixed pairwise order. reduceLanes(ADD) is free to add in another
     * order once C2 compiles its caller (and does, in loops), so a row's sum could change in the
     * last bit as the JIT warms up; lane-wise adds and shuffles are exact in every tier.
     */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> partner : HALVING) v = v.add(v.rearrange(partner));
        return v.lane(0);
    }

    /**
     * {@link #sum} of a vector stored in a[from ..+ {@link VectorWidth#LANES}] (which this
     * overwrites), added in the same order, so with the same result. For a kernel whose loop
     * leaves no room to inline a call taking a vector (see {@link #exp}'s note).
     */
    public static float sum(float[] a, int from) {
        for (int half = VectorWidth.LANES / 2; half >= 1; half /= 2)
            for (int i = from; i < from + half; i++) a[i] += a[i + half];
        return a[from];
    }

    private static final float SMALL = 0.25f;
    private static final FloatVector V_SMALL = c(SMALL), TEN = c(10f),
            Q5 = c(-1382f / 155925), Q4 = c(62f / 2835), Q3 = c(-17f / 315), Q2 = c(2f / 15), Q1 = c(-1f / 3);

    /** tanh per lane (species {@link VectorWidth#F}): an odd Taylor polynomial near 0, 1 − 2/(e^{2|x|} + 1) elsewhere, sign restored. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        // |x| >= 0.25
        FloatVector e2 = exp(ax.min(TEN).mul(TWO)); // beyond 10, 1 − 2/(e^20 + 1) rounds to 1
        FloatVector far = ONE.sub(TWO.div(e2.add(ONE)));
        // |x| < 0.25: x·(1 − s/3 + 2s²/15 − 17s³/315 + 62s⁴/2835 − 1382s⁵/155925), s = x²
        FloatVector s = x.mul(x);
        FloatVector q = s.fma(Q5, Q4);
        q = q.fma(s, Q3);
        q = q.fma(s, Q2);
        q = q.fma(s, Q1);
        q = q.fma(s, ONE);
        FloatVector near = q.mul(ax);
        FloatVector t = far.blend(near, ax.compare(VectorOperators.LT, V_SMALL));
        // restore the sign (tanh is odd)
        return t.blend(t.neg(), x.compare(VectorOperators.LT, ZERO));
    }
}
