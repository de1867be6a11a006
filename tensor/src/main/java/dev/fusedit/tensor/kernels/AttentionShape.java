package dev.fusedit.tensor.kernels;

/** The dimensions of one attention call; see {@link Kernels#attention}. */
public record AttentionShape(int batch, int heads, int kvHeads, int qLen, int kvLen, int headDim,
                             float scale, float softCap, int maskBatches) {

    public AttentionShape {
        if (kvHeads <= 0 || heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " not a multiple of kvHeads " + kvHeads);
        if (maskBatches != 0 && maskBatches != 1 && maskBatches != batch) throw new IllegalArgumentException("maskBatches must be 0 (no mask), 1 or batch");
    }

    /** Query heads that share one kv head. */
    public int group() { return heads / kvHeads; }

    /** Multiply-add FLOPs of the forward pass (QK^T and PV). */
    public double flops() {
        return 4.0 * batch * heads * (double) qLen * kvLen * headDim;
    }

    /** FLOPs of the backward pass: five products of the forward's size (S = QK^T again, dV, dP, dQ, dK) to its two. */
    public double backwardFlops() {
        return 2.5 * flops();
    }
}
