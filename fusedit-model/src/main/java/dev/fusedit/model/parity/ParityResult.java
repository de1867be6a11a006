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
        long differing = 0;
        for (int i = 0; i < g.length; i++) {
            double d = Math.abs(g[i] - w[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            maxDiff = Math.max(maxDiff, d);
            maxWant = Math.max(maxWant, Math.abs(w[i]));
            if (d != 0) differing++;
        }
        if (tol.relative()) {
            double err = maxWant == 0 ? maxDiff : maxDiff / maxWant;
            return new ParityResult(name, err, tol.limit(), true, err <= tol.limit(), "");
        }
        if (tol.fractionAllowed() > 0) {
            // "±limit on at most a fraction of the values": every value within the limit, and only that
            // fraction different at all (uint8 pixels one off where decoded·255 sits on a rounding boundary)
            double fraction = g.length == 0 ? 0 : (double) differing / g.length;
            boolean pass = maxDiff <= tol.limit() && fraction <= tol.fractionAllowed();
            return new ParityResult(name, maxDiff, tol.limit(), false, pass,
                    String.format("%d of %d differ (%.4f%%, at most %.4f%% allowed)", differing, g.length, 100 * fraction, 100 * tol.fractionAllowed()));
        }
        return new ParityResult(name, maxDiff, tol.limit(), false, maxDiff <= tol.limit(), "");
    }
}
