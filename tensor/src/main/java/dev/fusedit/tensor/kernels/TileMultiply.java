package dev.fusedit.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked multiply of small float-array tiles that the attention kernels are built
 * from: {@code c[r][n] (+)= Σ_k w(r, k) · x[k][n]}. The weight side is read one scalar at a time
 * and broadcast, so it may be addressed with any row and column strides (a transposed tile costs
 * nothing); the x and c sides are read along n with full vectors. Eight rows times two vectors
 * of n are kept in registers while k runs, so every loaded x vector feeds eight FMAs (the GEMM
 * micro-kernel's shape: with four rows, six loads fed eight FMAs, and the attention kernels ran
 * at 0.75-0.8 of the GEMM's rate); four rows and one row take what is left.
 */
final class TileMultiply {
    private TileMultiply() {}

    private static final VectorSpecies<Float> F = VectorWidth.F;
    private static final int L = VectorWidth.LANES;

    /**
     * c[cOff + r·ldc + n] = (accumulate ? c[..] : 0) + Σ_k w[wOff + r·wRow + k·wCol] · x[xOff + k·ldx + n]
     * for r &lt; rows, n &lt; cols, k &lt; inner. Sums run in k order, so each element's result does not
     * depend on how rows are grouped.
     */
    static void multiply(int rows, int cols, int inner,
                         float[] w, int wOff, int wRow, int wCol,
                         float[] x, int xOff, int ldx,
                         float[] c, int cOff, int ldc, boolean accumulate) {
        int r = 0;
        for (; r + 8 <= rows; r += 8)
            eightRows(cols, inner, w, wOff + r * wRow, wRow, wCol, x, xOff, ldx, c, cOff + r * ldc, ldc, accumulate);
        for (; r + 4 <= rows; r += 4)
            fourRows(cols, inner, w, wOff + r * wRow, wRow, wCol, x, xOff, ldx, c, cOff + r * ldc, ldc, accumulate);
        for (; r < rows; r++)
            oneRow(cols, inner, w, wOff + r * wRow, wCol, x, xOff, ldx, c, cOff + r * ldc, accumulate);
    }

    /** Rows w0.. and c0.. eight at a time over pairs of vectors of n; the columns after the last pair go to {@link #fourRows}. */
    private static void eightRows(int cols, int inner, float[] w, int w0, int wRow, int wCol,
                                  float[] x, int xOff, int ldx, float[] c, int c0, int ldc, boolean accumulate) {
        int w1 = w0 + wRow, w2 = w1 + wRow, w3 = w2 + wRow, w4 = w3 + wRow, w5 = w4 + wRow, w6 = w5 + wRow, w7 = w6 + wRow;
        int vectorEnd = VectorWidth.loopBound(cols), pairEnd = vectorEnd - vectorEnd % (2 * L);
        for (int n = 0; n < pairEnd; n += 2 * L) {
            FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00,
                    a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
            int xi = xOff + n, wk = 0;
            for (int k = 0; k < inner; k++, xi += ldx, wk += wCol) {
                FloatVector x0 = FloatVector.fromArray(F, x, xi), x1 = FloatVector.fromArray(F, x, xi + L), b;
                b = FloatVector.broadcast(F, w[w0 + wk]); a00 = x0.fma(b, a00); a01 = x1.fma(b, a01);
                b = FloatVector.broadcast(F, w[w1 + wk]); a10 = x0.fma(b, a10); a11 = x1.fma(b, a11);
                b = FloatVector.broadcast(F, w[w2 + wk]); a20 = x0.fma(b, a20); a21 = x1.fma(b, a21);
                b = FloatVector.broadcast(F, w[w3 + wk]); a30 = x0.fma(b, a30); a31 = x1.fma(b, a31);
                b = FloatVector.broadcast(F, w[w4 + wk]); a40 = x0.fma(b, a40); a41 = x1.fma(b, a41);
                b = FloatVector.broadcast(F, w[w5 + wk]); a50 = x0.fma(b, a50); a51 = x1.fma(b, a51);
                b = FloatVector.broadcast(F, w[w6 + wk]); a60 = x0.fma(b, a60); a61 = x1.fma(b, a61);
                b = FloatVector.broadcast(F, w[w7 + wk]); a70 = x0.fma(b, a70); a71 = x1.fma(b, a71);
            }
            // Stored inline, as everywhere here: a vector passed to a method that C2 does not inline
            // is boxed, one allocation per vector (see tensor/README.md).
            int r0 = c0 + n, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
            if (accumulate) {
                a00 = a00.add(FloatVector.fromArray(F, c, r0)); a01 = a01.add(FloatVector.fromArray(F, c, r0 + L));
                a10 = a10.add(FloatVector.fromArray(F, c, r1)); a11 = a11.add(FloatVector.fromArray(F, c, r1 + L));
                a20 = a20.add(FloatVector.fromArray(F, c, r2)); a21 = a21.add(FloatVector.fromArray(F, c, r2 + L));
                a30 = a30.add(FloatVector.fromArray(F, c, r3)); a31 = a31.add(FloatVector.fromArray(F, c, r3 + L));
                a40 = a40.add(FloatVector.fromArray(F, c, r4)); a41 = a41.add(FloatVector.fromArray(F, c, r4 + L));
                a50 = a50.add(FloatVector.fromArray(F, c, r5)); a51 = a51.add(FloatVector.fromArray(F, c, r5 + L));
                a60 = a60.add(FloatVector.fromArray(F, c, r6)); a61 = a61.add(FloatVector.fromArray(F, c, r6 + L));
                a70 = a70.add(FloatVector.fromArray(F, c, r7)); a71 = a71.add(FloatVector.fromArray(F, c, r7 + L));
            }
            a00.intoArray(c, r0); a01.intoArray(c, r0 + L);
            a10.intoArray(c, r1); a11.intoArray(c, r1 + L);
            a20.intoArray(c, r2); a21.intoArray(c, r2 + L);
            a30.intoArray(c, r3); a31.intoArray(c, r3 + L);
            a40.intoArray(c, r4); a41.intoArray(c, r4 + L);
            a50.intoArray(c, r5); a51.intoArray(c, r5 + L);
            a60.intoArray(c, r6); a61.intoArray(c, r6 + L);
            a70.intoArray(c, r7); a71.intoArray(c, r7 + L);
        }
        if (pairEnd < cols) {
            fourRows(cols - pairEnd, inner, w, w0, wRow, wCol, x, xOff + pairEnd, ldx, c, c0 + pairEnd, ldc, accumulate);
            fourRows(cols - pairEnd, inner, w, w4, wRow, wCol, x, xOff + pairEnd, ldx, c, c0 + 4 * ldc + pairEnd, ldc, accumulate);
        }
    }

    private static void fourRows(int cols, int inner, float[] w, int w0, int wRow, int wCol,
                                 float[] x, int xOff, int ldx, float[] c, int c0, int ldc, boolean accumulate) {
        int w1 = w0 + wRow, w2 = w1 + wRow, w3 = w2 + wRow;
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        int vectorEnd = VectorWidth.loopBound(cols);
        int n = 0;
        for (; n + 2 * L <= vectorEnd; n += 2 * L) {
            FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
            FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
            FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
            FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
            int xi = xOff + n, wk = 0;
            for (int k = 0; k < inner; k++, xi += ldx, wk += wCol) {
                FloatVector x0 = FloatVector.fromArray(F, x, xi);
                FloatVector x1 = FloatVector.fromArray(F, x, xi + L);
                FloatVector b = FloatVector.broadcast(F, w[w0 + wk]);
                a00 = x0.fma(b, a00);
                a01 = x1.fma(b, a01);
                b = FloatVector.broadcast(F, w[w1 + wk]);
                a10 = x0.fma(b, a10);
                a11 = x1.fma(b, a11);
                b = FloatVector.broadcast(F, w[w2 + wk]);
                a20 = x0.fma(b, a20);
                a21 = x1.fma(b, a21);
                b = FloatVector.broadcast(F, w[w3 + wk]);
                a30 = x0.fma(b, a30);
                a31 = x1.fma(b, a31);
            }
            if (accumulate) {
                a00 = a00.add(FloatVector.fromArray(F, c, c0 + n)); a01 = a01.add(FloatVector.fromArray(F, c, c0 + n + L));
                a10 = a10.add(FloatVector.fromArray(F, c, c1 + n)); a11 = a11.add(FloatVector.fromArray(F, c, c1 + n + L));
                a20 = a20.add(FloatVector.fromArray(F, c, c2 + n)); a21 = a21.add(FloatVector.fromArray(F, c, c2 + n + L));
                a30 = a30.add(FloatVector.fromArray(F, c, c3 + n)); a31 = a31.add(FloatVector.fromArray(F, c, c3 + n + L));
            }
            a00.intoArray(c, c0 + n); a01.intoArray(c, c0 + n + L);
            a10.intoArray(c, c1 + n); a11.intoArray(c, c1 + n + L);
            a20.intoArray(c, c2 + n); a21.intoArray(c, c2 + n + L);
            a30.intoArray(c, c3 + n); a31.intoArray(c, c3 + n + L);
        }
        for (; n < vectorEnd; n += L) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            int xi = xOff + n, wk = 0;
            for (int k = 0; k < inner; k++, xi += ldx, wk += wCol) {
                FloatVector x0 = FloatVector.fromArray(F, x, xi);
                a0 = x0.fma(FloatVector.broadcast(F, w[w0 + wk]), a0);
                a1 = x0.fma(FloatVector.broadcast(F, w[w1 + wk]), a1);
                a2 = x0.fma(FloatVector.broadcast(F, w[w2 + wk]), a2);
                a3 = x0.fma(FloatVector.broadcast(F, w[w3 + wk]), a3);
            }
            if (accumulate) {
                a0 = a0.add(FloatVector.fromArray(F, c, c0 + n));
                a1 = a1.add(FloatVector.fromArray(F, c, c1 + n));
                a2 = a2.add(FloatVector.fromArray(F, c, c2 + n));
                a3 = a3.add(FloatVector.fromArray(F, c, c3 + n));
            }
            a0.intoArray(c, c0 + n);
            a1.intoArray(c, c1 + n);
            a2.intoArray(c, c2 + n);
            a3.intoArray(c, c3 + n);
        }
        for (; n < cols; n++) {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int xi = xOff + n, wk = 0;
            for (int k = 0; k < inner; k++, xi += ldx, wk += wCol) {
                float xv = x[xi];
                s0 = Math.fma(w[w0 + wk], xv, s0);
                s1 = Math.fma(w[w1 + wk], xv, s1);
                s2 = Math.fma(w[w2 + wk], xv, s2);
                s3 = Math.fma(w[w3 + wk], xv, s3);
            }
            c[c0 + n] = accumulate ? c[c0 + n] + s0 : s0;
            c[c1 + n] = accumulate ? c[c1 + n] + s1 : s1;
            c[c2 + n] = accumulate ? c[c2 + n] + s2 : s2;
            c[c3 + n] = accumulate ? c[c3 + n] + s3 : s3;
        }
    }

    private static void oneRow(int cols, int inner, float[] w, int w0, int wCol,
                               float[] x, int xOff, int ldx, float[] c, int c0, boolean accumulate) {
        int vectorEnd = VectorWidth.loopBound(cols);
        int n = 0;
        for (; n + 2 * L <= vectorEnd; n += 2 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
            int xi = xOff + n, wk = 0;
            for (int k = 0; k < inner; k++, xi += ldx, wk += wCol) {
                FloatVector b = FloatVector.broadcast(F, w[w0 + wk]);
                a0 = FloatVector.fromArray(F, x, xi).fma(b, a0);
                a1 = FloatVector.fromArray(F, x, xi + L).fma(b, a1);
            }
            if (accumulate) {
                a0 = a0.add(FloatVector.fromArray(F, c, c0 + n));
                a1 = a1.add(FloatVector.fromArray(F, c, c0 + n + L));
            }
            a0.intoArray(c, c0 + n);
            a1.intoArray(c, c0 + n + L);
        }
        for (; n < vectorEnd; n += L) {
            FloatVector a0 = FloatVector.zero(F);
            int xi = xOff + n, wk = 0;
            for (int k = 0; k < inner; k++, xi += ldx, wk += wCol)
                a0 = FloatVector.fromArray(F, x, xi).fma(FloatVector.broadcast(F, w[w0 + wk]), a0);
            if (accumulate) a0 = a0.add(FloatVector.fromArray(F, c, c0 + n));
            a0.intoArray(c, c0 + n);
        }
        for (; n < cols; n++) {
            float s0 = 0;
            int xi = xOff + n, wk = 0;
            for (int k = 0; k < inner; k++, xi += ldx, wk += wCol) s0 = Math.fma(w[w0 + wk], x[xi], s0);
            c[c0 + n] = accumulate ? c[c0 + n] + s0 : s0;
        }
    }
}
