package dev.fusedit.tensor.kernels;

/** The dimensions of a batched matmul; see {@link Kernels#matmul}. */
public record MatmulShape(int batch, int m, int n, int k, boolean transA, boolean transB,
                          long strideA, long strideB, long strideC, boolean accumulate) {

    public MatmulShape {
        if (batch < 0 || m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("negative matmul dimension: " + this);
    }

    /** A single m×k times k×n product, no transposes, overwriting C. */
    public static MatmulShape of(int m, int n, int k) {
        return new MatmulShape(1, m, n, k, false, false, (long) m * k, (long) k * n, (long) m * n, false);
    }

    /** Floating-point operations (multiply and add counted separately). */
    public double flops() {
        return 2.0 * batch * m * n * k;
    }

    /** Leading dimension (row length as stored) of A and B. */
    public int lda() { return transA ? m : k; }
    public int ldb() { return transB ? k : n; }
}
