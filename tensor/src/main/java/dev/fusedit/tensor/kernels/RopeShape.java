package dev.fusedit.tensor.kernels;

/** The dimensions of one RoPE call; see {@link Kernels#rope}. */
public record RopeShape(int batch, int seq, int heads, int headDim, int cosBatches) {
    public RopeShape {
        if (headDim % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head_dim, got " + headDim);
        if (cosBatches != 1 && cosBatches != batch) throw new IllegalArgumentException("cosBatches must be 1 or batch");
    }
}
