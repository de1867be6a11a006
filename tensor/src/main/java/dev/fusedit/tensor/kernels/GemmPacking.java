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
 * <li>A block: row i holds op(A)[ic + i][pc .. pc+kc) at {@code i·KC}, padded with zero rows to a
 *     multiple of {@code MR}; a micro-panel is MR consecutive rows. Rows stay contiguous along k,
 *     so packing the common untransposed A is a plain row copy, and the kernel's row offsets r·KC
 *     are constants.</li>
 * <li>B: for each k block q (counted from the first block the buffer holds, qFrom) and panel jp of
 *     {@code NR} columns, {@code kc} rows of NR values at {@code ((q − qFrom)·panels + jp)·KC·NR + p·NR}:
 *     one k step of a panel is NR contiguous floats, i.e. whole vectors.</li>
 * </ul>
 */
final class GemmPacking {
    private GemmPacking() {}

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /**
     * Rows of an untransposed B (k steps) packed per pass across the panels. Panel by panel, each
     * row contributes one NR-wide piece and the next row's piece is a row stride away, a new page
     * for the model's widths, where no prefetcher follows: packing ran at 3 GB/s, half the time of
     * a 64-row product. A pass over eight rows reads eight streams front to back instead (2.5x
     * faster here); the rows of a pass stay in L1 from one panel to the next.
     */
    static final int ROWS_PER_PASS = 8;

    /** k steps a stored-transposed A is copied in at a time: one cache line of each packed row. */
    static final int TRANSPOSE_STEPS = 16;

    /**
     * Packs rows [ic, ic+mc) and k range [pc, pc+kc) of op(A) into {@code dst} (A block layout: row i
     * at i·kcStride, zero rows up to a multiple of mr). {@code scratch} must hold
     * TRANSPOSE_STEPS·mc floats (used to transpose a stored-transposed A).
     */
    static void packA(MemorySegment a, long offA, int lda, boolean transA, int ic, int mc, int pc, int kc,
                      int mr, int kcStride, float[] dst, float[] scratch) {
        int paddedRows = (mc + mr - 1) / mr * mr;
        if (!transA) {
            // op(A) row i is stored contiguously: a bulk copy per row.
            for (int i = 0; i < mc; i++) {
                long src = (offA + (long) (ic + i) * lda + pc) * Float.BYTES;
                MemorySegment.copy(a, FLOAT, src, dst, i * kcStride, kc);
            }
        } else {
            // A is stored k×m: one stored row holds a k step of all mc rows. Scattering it element by
            // element would write mc rows kcStride apart, which alias in a few L1 sets; instead copy
            // TRANSPOSE_STEPS stored rows and write each packed row's run of them as one cache line.
            for (int p0 = 0; p0 < kc; p0 += TRANSPOSE_STEPS) {
                int steps = Math.min(TRANSPOSE_STEPS, kc - p0);
                for (int s = 0; s < steps; s++)
                    MemorySegment.copy(a, FLOAT, (offA + (long) (pc + p0 + s) * lda + ic) * Float.BYTES, scratch, s * mc, mc);
                for (int i = 0; i < mc; i++) {
                    int at = i * kcStride + p0;
                    for (int s = 0; s < steps; s++) dst[at + s] = scratch[s * mc + i];
                }
            }
        }
        for (int i = mc; i < paddedRows; i++) Arrays.fill(dst, i * kcStride, i * kcStride + kc, 0f);
    }

    /**
     * Packs panels [jpFrom, jpTo) and k steps [kFrom, kTo) of the column range [jc, jc+nc) of
     * op(B) into {@code dst} (B layout with {@code panels} panels per k block, the first block
     * held being qFrom). Tasks packing one
     * chunk together split it by k steps when B is stored k×n (each then reads whole row pieces of
     * nc floats, where a split by panels left a task a few cache lines per row, a row stride
     * apart) and by panels when it is stored n×k (whole columns). {@code scratch} must hold
     * kTo − kFrom floats.
     */
    static void packB(MemorySegment b, long offB, int ldb, boolean transB, int kFrom, int kTo, int jc, int nc,
                      int jpFrom, int jpTo, int panels, int qFrom, int nr, int kcBlock, float[] dst, float[] scratch) {
        pack(b, false, offB, ldb, transB, kFrom, kTo, jc, nc, jpFrom, jpTo, panels, qFrom, nr, kcBlock, dst, scratch);
    }

    /** {@link #packB} for a bfloat16 B (offB and ldb in bfloat16 elements), widened to float32. */
    static void packBBf16(MemorySegment b, long offB, int ldb, boolean transB, int kFrom, int kTo, int jc, int nc,
                          int jpFrom, int jpTo, int panels, int qFrom, int nr, int kcBlock, float[] dst, float[] scratch) {
        pack(b, true, offB, ldb, transB, kFrom, kTo, jc, nc, jpFrom, jpTo, panels, qFrom, nr, kcBlock, dst, scratch);
    }

    /** {@link #packB} of a float32 or (bf16) bfloat16 B; offB and ldb count elements. */
    private static void pack(MemorySegment b, boolean bf16, long offB, int ldb, boolean transB, int kFrom, int kTo, int jc, int nc,
                             int jpFrom, int jpTo, int panels, int qFrom, int nr, int kcBlock, float[] dst, float[] scratch) {
        if (!transB) {
            // passes of up to ROWS_PER_PASS k steps, none crossing a k block
            for (int k0 = kFrom; k0 < kTo; ) {
                int q = k0 / kcBlock, p0 = k0 - q * kcBlock;
                int k1 = Math.min(Math.min(kTo, k0 + ROWS_PER_PASS), (q + 1) * kcBlock);
                for (int jp = jpFrom; jp < jpTo; jp++) {
                    int j0 = jp * nr, cols = Math.min(nr, nc - j0), base = ((q - qFrom) * panels + jp) * kcBlock * nr;
                    for (int p = p0; p < p0 + k1 - k0; p++) {
                        int at = base + p * nr;
                        read(b, bf16, offB + (long) (q * kcBlock + p) * ldb + jc + j0, dst, at, cols);
                        if (cols < nr) Arrays.fill(dst, at + cols, at + nr, 0f);
                    }
                }
                k0 = k1;
            }
            return;
        }
        for (int jp = jpFrom; jp < jpTo; jp++) {
            int j0 = jp * nr;
            int cols = Math.min(nr, nc - j0);
            // B is stored n×k: column j of op(B) is contiguous along k. Copy its k range whole, then
            // scatter it down the panel (stride NR).
            for (int j = 0; j < nr; j++) {
                if (j < cols) read(b, bf16, offB + (long) (jc + j0 + j) * ldb + kFrom, scratch, 0, kTo - kFrom);
                for (int k0 = kFrom; k0 < kTo; ) {
                    int q = k0 / kcBlock, p0 = k0 - q * kcBlock, k1 = Math.min(kTo, (q + 1) * kcBlock);
                    int base = ((q - qFrom) * panels + jp) * kcBlock * nr + j, from = k0 - kFrom - p0;
                    if (j < cols) for (int p = p0; p < p0 + k1 - k0; p++) dst[base + p * nr] = scratch[from + p];
                    else for (int p = p0; p < p0 + k1 - k0; p++) dst[base + p * nr] = 0f;
                    k0 = k1;
                }
            }
        }
    }

    /** count elements of B from element index element into dst[at ..], widened when bf16. */
    private static void read(MemorySegment b, boolean bf16, long element, float[] dst, int at, int count) {
        if (bf16) Bf16Widening.widen(b, element * Short.BYTES, dst, at, count);
        else copyFloats(b, element * Float.BYTES, dst, at, count);
    }

    /** Copies count floats from the segment at srcByte into dst[at ..]. */
    private static void copyFloats(MemorySegment src, long srcByte, float[] dst, int at, int count) {
        int lanes = F.length();
        int v = 0;
        for (int vb = VectorWidth.loopBound(count); v < vb; v += lanes)
            FloatVector.fromMemorySegment(F, src, srcByte + (long) v * Float.BYTES, ORDER).intoArray(dst, at + v);
        for (; v < count; v++) dst[at + v] = src.get(FLOAT, srcByte + (long) v * Float.BYTES);
    }
}
