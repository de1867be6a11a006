package dev.fusedit.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Copies between two same-shape, same-dtype tensors of any strides (a permuted view made
 * contiguous, a slice written into a bigger tensor). Dimensions that are laid out back to back
 * in both tensors are merged first, so the innermost run is as long as possible; runs contiguous
 * in both tensors are block copies, others a typed element loop (no per-element dtype switch or
 * callback, which {@link StridedWalk} pays).
 */
final class StridedCopy {
    private StridedCopy() {}

    static void copy(Tensor dst, Tensor src) {
        int[] shape = dst.shape();
        long[] sd = dst.strides(), ss = src.strides();
        int rank = 0;
        // merge dims (dropping size-1 ones) from the outside in: dim d joins the previous one when
        // stride[prev] == stride[d] * size[d] in both tensors
        int[] n = new int[shape.length];
        long[] a = new long[shape.length], b = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (rank > 0 && a[rank - 1] == sd[d] * shape[d] && b[rank - 1] == ss[d] * shape[d]) {
                n[rank - 1] *= shape[d];
                a[rank - 1] = sd[d];
                b[rank - 1] = ss[d];
            } else {
                n[rank] = shape[d];
                a[rank] = sd[d];
                b[rank] = ss[d];
                rank++;
            }
        }
        long total = Tensor.numel(shape);
        if (total == 0) return;
        long bytes = dst.dtype().byteSize();
        MemorySegment to = dst.segment(), from = src.segment();
        if (rank == 0) {
            MemorySegment.copy(from, src.offset() * bytes, to, dst.offset() * bytes, bytes);
            return;
        }
        int inner = n[rank - 1];
        long ia = a[rank - 1], ib = b[rank - 1];
        int[] idx = new int[rank];
        long at = dst.offset(), atSrc = src.offset();
        for (long done = 0; done < total; done += inner) {
            if (ia == 1 && ib == 1) {
                MemorySegment.copy(from, atSrc * bytes, to, at * bytes, inner * bytes);
            } else if (bytes == 4) {
                for (int k = 0; k < inner; k++) to.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, at + k * ia, from.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, atSrc + k * ib));
            } else if (bytes == 8) {
                for (int k = 0; k < inner; k++) to.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, at + k * ia, from.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, atSrc + k * ib));
            } else if (bytes == 2) {
                for (int k = 0; k < inner; k++) to.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, at + k * ia, from.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, atSrc + k * ib));
            } else {
                for (int k = 0; k < inner; k++) MemorySegment.copy(from, (atSrc + k * ib) * bytes, to, (at + k * ia) * bytes, bytes);
            }
            for (int d = rank - 2; d >= 0; d--) {
                idx[d]++;
                at += a[d];
                atSrc += b[d];
                if (idx[d] < n[d]) break;
                at -= a[d] * n[d];
                atSrc -= b[d] * n[d];
                idx[d] = 0;
            }
        }
    }
}
