package dev.fusedit.tensor.ops;

/**
 * The error function to double precision, for the exact (erf-based) GELU. For |x| < 6 it sums
 * erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), a series of positive terms (no
 * cancellation, unlike the Taylor series); beyond 6, erf is ±1 to within 2e-17.
 */
final class Erf {
    private Erf() {}

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax >= 6) return Math.signum(x);
        if (Double.isNaN(x)) return x;
        double x2 = x * x;
        double term = ax, sum = ax;
        for (int n = 1; term > sum * 1e-17; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
        }
        return Math.copySign(TWO_OVER_SQRT_PI * Math.exp(-x2) * sum, x);
    }
}
