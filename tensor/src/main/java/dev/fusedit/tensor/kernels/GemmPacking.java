package dev.fusedit.tensor.kernels;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.fusedit.tensor.kernels.VectorWidth.F;

/**
 * Copies blocks of op(A) and op(B) out of their segments into the heap layouts the GEMM
 * micro-kernel streams through ({@link VectorGemm}). Packing is where the transposes are
 * handled, so a single micro-kernel serves all four transA/transB combinations; it also pads
 * partial panels with zeros so the micro-kernel never needs a tail.
 *
 * <p>Layouts (all offsets in floats):
 * <ul>
 * <li>A block: panels of {@code MR} rows; row r of panel ip holds op(A)[ic + ip·MR + r][pc .. pc+kc)
 *     at {@code ip·MR·KC + r·KC}. Rows stay contiguous along k, so packing the common
 *     untransposed A is a plain row copy, and the kernel's row offsets r·KC are constants.</li>
 * <li>B: for each k block q and panel jp of {@code NR} columns, {@code kc} rows of NR values at
 *     {@code (q·panels + jp)·KC·NR + p·NR}: one k step of a panel is NR contiguous floats, i.e.
 *     whole vectors.</li>
 * </ul>
 */
final class GemmPacking {
    private GemmPacking() {}

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /**
     * Packs rows [ic, ic+mc) and k range [pc, pc+kc) of op(A) into {@code dst} (A block layout).
     * {@code scratch} must hold at least mc floats (used to transpose a stored-transposed A).
     */
    static void packA(MemorySegment a, long offA, int lda, boolean transA, int ic, int mc, int pc, int kc,
                      int mr, int kcStride, float[] dst, float[] scratch) {
        int paddedRows = (mc + mr - 1) / mr * mr;
        if (!transA) {
            // op(A) row i is stored contiguously: a bulk copy per row.
            for (int i = 0; i < mc; i++) {
                long src = (offA + (long) (ic + i) * lda + pc) * Float.BYTES;
                MemorySegment.copy(a, FLOAT, src, dst, rowStart(i, mr, kcStride), kc);
            }
        } else {
            // A is stored k×m: for each k the mc values of a column of op(A) are contiguous; copy them
            // in bulk, then scatter into the rows (stride KC).
            for (int p = 0; p < kc; p++) {
                long src = (offA + (long) (pc + p) * lda + ic) * Float.BYTES;
                MemorySegment.copy(a, FLOAT, src, scratch, 0, mc);
                for (int i = 0; i < mc; i++) dst[rowStart(i, mr, kcStride) + p] = scratch[i];
            }
        }
        for (int i = mc; i < paddedRows; i++) {
            int start = rowStart(i, mr, kcStride);
            Arrays.fill(dst, start, start + kc, 0f);
        }
    }

    private static int rowStart(int i, int mr, int kcStride) {
        return (i / mr) * mr * kcStride + (i % mr) * kcStride;
    }

    /**
     * Packs panels [jpFrom, jpTo) of the column range [jc, jc+nc) of op(B), for every k block, into
     * {@code dst} (B layout with {@code panels} panels per k block). {@code scratch} must hold k floats.
     */
    static void packB(MemorySegment b, long offB, int ldb, boolean transB, int k, int jc, int nc,
                      int jpFrom, int jpTo, int panels, int nr, int kcBlock, float[] dst, float[] scratch) {
        int kBlocks = (k + kcBlock - 1) / kcBlock;
        for (int jp = jpFrom; jp < jpTo; jp++) {
            int j0 = jp * nr;
            int cols = Math.min(nr, nc - j0);
            if (!transB) {
                for (int q = 0; q < kBlocks; q++) {
                    int base = (q * panels + jp) * kcBlock * nr;
                    int kc = Math.min(kcBlock, k - q * kcBlock);
                    for (int p = 0; p < kc; p++) {
                        long src = (offB + (long) (q * kcBlock + p) * ldb + jc + j0) * Float.BYTES;
                        copyRow(b, src, dst, base + p * nr, cols, nr);
                    }
                }
            } else {
                // B is stored n×k: column j of op(B) is contiguous along k. Copy it whole, then scatter
                // it down the panel (stride NR) block by block.
                for (int j = 0; j < nr; j++) {
                    if (j < cols) MemorySegment.copy(b, FLOAT, (offB + (long) (jc + j0 + j) * ldb) * Float.BYTES, scratch, 0, k);
                    for (int q = 0; q < kBlocks; q++) {
                        int base = (q * panels + jp) * kcBlock * nr + j;
                        int kc = Math.min(kcBlock, k - q * kcBlock);
                        int from = q * kcBlock;
                        if (j < cols) for (int p = 0; p < kc; p++) dst[base + p * nr] = scratch[from + p];
                        else for (int p = 0; p < kc; p++) dst[base + p * nr] = 0f;
                    }
                }
            }
        }
    }

    /** Copies cols floats from the segment and zero-pads the panel row up to width. */
    private static void copyRow(MemorySegment src, long srcByte, float[] dst, int at, int cols, int width) {
        int lanes = F.length();
        int v = 0;
        for (int vb = VectorWidth.loopBound(cols); v < vb; v += lanes)
            FloatVector.fromMemorySegment(F, src, srcByte + (long) v * Float.BYTES, ORDER).intoArray(dst, at + v);
        for (; v < cols; v++) dst[at + v] = src.get(FLOAT, srcByte + (long) v * Float.BYTES);
        for (; v < width; v++) dst[at + v] = 0f;
    }
}
