package dev.fusedit.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

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

    /** e^x per lane; 0 below e^-87.3 (float's smallest normal), +inf stays out of reach (inputs clamped at 88). */
    public static FloatVector exp(FloatVector x) {
        FloatVector cx = x.max(MIN_ARG).min(MAX_ARG);
        // n = round(x·log2 e); r = x − n·ln 2 in [−ln2/2, ln2/2]
        FloatVector shifted = cx.fma(LOG2E, ROUND);
        FloatVector n = shifted.sub(ROUND);
        FloatVector r = n.fma(bc(n, -LN2_HI), cx);
        r = n.fma(bc(n, -LN2_LO), r);
        // e^r by its Taylor polynomial to r^6 (error r^7/7! < 1.2e-7 relative)
        FloatVector p = r.fma(1f / 720, 1f / 120);
        p = p.fma(r, bc(r, 1f / 24));
        p = p.fma(r, bc(r, 1f / 6));
        p = p.fma(r, bc(r, 0.5f));
        p = p.fma(r, bc(r, 1f));
        p = p.fma(r, bc(r, 1f));
        // 2^n from the integer n sitting in the low mantissa bits of `shifted`
        IntVector ni = shifted.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND));
        FloatVector twoN = ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = p.mul(twoN);
        VectorMask<Float> underflow = x.compare(VectorOperators.LT, MIN_ARG);
        return e.blend(0f, underflow);
    }

    /** A constant as a vector of x's shape (C2 hoists these out of loops). */
    private static FloatVector bc(FloatVector x, float c) {
        return FloatVector.broadcast(x.species(), c);
    }

    private static final float SMALL = 0.25f;

    /** tanh per lane: an odd Taylor polynomial near 0, 1 − 2/(e^{2|x|} + 1) elsewhere, sign restored. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        // |x| >= 0.25
        FloatVector e2 = exp(ax.min(10f).mul(2f)); // beyond 10, 1 − 2/(e^20 + 1) rounds to 1
        FloatVector far = e2.add(1f);
        far = FloatVector.broadcast(x.species(), 1f).sub(FloatVector.broadcast(x.species(), 2f).div(far));
        // |x| < 0.25: x·(1 − s/3 + 2s²/15 − 17s³/315 + 62s⁴/2835 − 1382s⁵/155925), s = x²
        FloatVector s = x.mul(x);
        FloatVector q = s.fma(-1382f / 155925, 62f / 2835);
        q = q.fma(s, bc(s, -17f / 315));
        q = q.fma(s, bc(s, 2f / 15));
        q = q.fma(s, bc(s, -1f / 3));
        q = q.fma(s, bc(s, 1f));
        FloatVector near = q.mul(ax);
        FloatVector t = far.blend(near, ax.compare(VectorOperators.LT, SMALL));
        // restore the sign (tanh is odd)
        return t.blend(t.neg(), x.compare(VectorOperators.LT, 0f));
    }
}
