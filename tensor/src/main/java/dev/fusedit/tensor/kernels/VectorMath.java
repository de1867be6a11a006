package dev.fusedit.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * exp and tanh built from plain IEEE arithmetic (multiply, fused multiply-add, compare, bit
 * moves). The Vector API's own EXP and TANH call a native math library once C2 compiles the
 * loop but a Java fallback before that, and the two differ in the last bit, so a kernel's result
 * could depend on how warm the JIT was. These give the same bits in every tier, which is what
 * makes a resumed training run repeat an uninterrupted one exactly. Accuracy: within 3 ulp (exp),
 * under 4e-7 relative (tanh).
 */
public final class VectorMath {
    private VectorMath() {}

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5·2^23: adding it rounds a float below 2^22 to an integer
    private static final float MIN_ARG = -87.33654f, MAX_ARG = 88.0f;

    /*
     * The constants as vectors of the kernels' species. A float argument (x.mul(0.5f)) makes C2
     * parse a broadcast at every use; a constant vector is a few nodes. That matters: a loop body
     * whose parse passes C2's node budget (NodeCountInliningCutoff) stops inlining vector calls,
     * and every vector that crosses a call is then boxed on the heap.
     */
    private static FloatVector c(float value) {
        return FloatVector.broadcast(VectorWidth.F, value);
    }

    private static final FloatVector V_LOG2E = c(LOG2E), V_ROUND = c(ROUND), V_MIN_ARG = c(MIN_ARG), V_MAX_ARG = c(MAX_ARG),
            V_NEG_LN2_HI = c(-LN2_HI), V_NEG_LN2_LO = c(-LN2_LO),
            P6 = c(1f / 720), P5 = c(1f / 120), P4 = c(1f / 24), P3 = c(1f / 6), P2 = c(0.5f), ONE = c(1f), TWO = c(2f), ZERO = c(0f);
    private static final IntVector EXPONENT_BIAS = IntVector.broadcast(VectorWidth.F.withLanes(int.class), 127);

    /**
     * e^x per lane, x of species {@link VectorWidth#F}; 0 below e^-87.3 (float's smallest normal),
     * +inf stays out of reach (inputs clamped at 88).
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector cx = x.max(V_MIN_ARG).min(V_MAX_ARG);
        // n = round(x·log2 e); r = x − n·ln 2 in [−ln2/2, ln2/2]
        FloatVector shifted = cx.fma(V_LOG2E, V_ROUND);
        FloatVector n = shifted.sub(V_ROUND);
        FloatVector r = n.fma(V_NEG_LN2_HI, cx);
        r = n.fma(V_NEG_LN2_LO, r);
        // e^r by its Taylor polynomial to r^6 (error r^7/7! < 1.2e-7 relative)
        FloatVector p = r.fma(P6, P5);
        p = p.fma(r, P4);
        p = p.fma(r, P3);
        p = p.fma(r, P2);
        p = p.fma(r, ONE);
        p = p.fma(r, ONE);
        // 2^n: `shifted` holds bits(ROUND) + n, and bits(ROUND) has its low 9 bits clear, so
        // shifting bits(ROUND) + n + 127 left by 23 leaves exactly the exponent field n + 127
        IntVector twoNBits = shifted.reinterpretAsInts().add(EXPONENT_BIAS).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = p.mul(twoNBits.reinterpretAsFloats());
        return e.blend(ZERO, x.compare(VectorOperators.LT, V_MIN_ARG));
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
