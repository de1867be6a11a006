package dev.fusedit.model.parity;

import dev.fusedit.tensor.Tensor;

import java.util.Arrays;

/** One computed tensor compared with its expected value. */
public record ParityResult(String tensor, double error, double limit, boolean relative, boolean pass, String note) {

    /** Compares got with want under tol (shapes must match). */
    public static ParityResult compare(String name, Tensor got, Tensor want, ParityCase.Tolerance tol) {
        if (!Arrays.equals(got.shape(), want.shape()))
            return new ParityResult(name, Double.POSITIVE_INFINITY, tol.limit(), tol.relative(), false,
                    "shape " + Arrays.toString(got.shape()) + ", expected " + Arrays.toString(want.shape()));
        double[] g = got.toDoubleArray(), w = want.toDoubleArray();
        double maxDiff = 0, maxWant = 0;
        long over = 0;
        for (int i = 0; i < g.length; i++) {
            double d = Math.abs(g[i] - w[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            maxDiff = Math.max(maxDiff, d);
            maxWant = Math.max(maxWant, Math.abs(w[i]));
            if (!tol.relative() && d > tol.limit()) over++;
        }
        if (tol.relative()) {
            double err = maxWant == 0 ? maxDiff : maxDiff / maxWant;
            return new ParityResult(name, err, tol.limit(), true, err <= tol.limit(), "");
        }
        double fraction = g.length == 0 ? 0 : (double) over / g.length;
        boolean pass = tol.fractionAllowed() > 0
                ? fraction <= tol.fractionAllowed() && maxDiff <= 2 * tol.limit()
                : maxDiff <= tol.limit();
        return new ParityResult(name, maxDiff, tol.limit(), false, pass,
                tol.fractionAllowed() > 0 ? String.format("%.4f%% over", 100 * fraction) : "");
    }
}
