package dev.fusedit.tornado;

import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.KernelBuffers;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.ScalarKernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.KernelBuffers.FLOAT;
import static dev.fusedit.tensor.kernels.KernelBuffers.assertClose;
import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;

/** Device attention ({@link AttentionKernel}) against the scalar oracle, forward and backward. */
class TornadoAttentionTest extends DeviceUnderTest {
    private static final Kernels ORACLE = ScalarKernels.F32;
    /** Masked entries hold -3.4e38 as in the model, never -inf. */
    private static final float MASKED = -3.4e38f;

    enum MaskKind { NONE, SHARED_RANDOM, PER_BATCH_CAUSAL }

    @Test
    void headDimOneSingleQueryAndKey() {
        compare(1, 1, 1, 1, 1, 1, 1.0f, 0, MaskKind.NONE, 1);
    }

    @Test
    void groupedQueryHeadsWithSharedRandomMask() {
        compare(2, 4, 2, 37, 70, 3, 0.7f, 0, MaskKind.SHARED_RANDOM, 2);
    }

    @Test
    void fullyMaskedRowsSoftCapAndPerBatchCausalMask() {
        // qLen > kvLen under a bottom-right-aligned causal mask: the first rows see no key at all
        // (TornadoVM's default -cl-fast-relaxed-math got these rows wrong, see DevicePlan).
        compare(2, 3, 1, 21, 13, 17, 1.3f, 5.0f, MaskKind.PER_BATCH_CAUSAL, 3);
    }

    @Test
    void randomShapes() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[] dims = {1, 3, 17, 64};
        for (int trial = 0; trial < 3; trial++) {
            int kvHeads = 1 + rnd.nextInt(2), heads = kvHeads * (1 + rnd.nextInt(2));
            MaskKind mask = MaskKind.values()[rnd.nextInt(MaskKind.values().length)];
            compare(1 + rnd.nextInt(2), heads, kvHeads, 1 + rnd.nextInt(40), 1 + rnd.nextInt(40), dims[rnd.nextInt(dims.length)],
                    (float) rnd.nextDouble(0.1, 1.5), rnd.nextBoolean() ? 0 : 5.0f, mask, 100 + trial);
        }
    }

    private void compare(int batch, int heads, int kvHeads, int qLen, int kvLen, int headDim, float scale, float softCap,
                         MaskKind maskKind, long seed) {
        int maskBatches = switch (maskKind) {
            case NONE -> 0;
            case SHARED_RANDOM -> 1;
            case PER_BATCH_CAUSAL -> batch;
        };
        var s = new AttentionShape(batch, heads, kvHeads, qLen, kvLen, headDim, scale, softCap, maskBatches);
        var rnd = new SplittableRandom(seed);
        long qElems = (long) batch * qLen * heads * headDim, kvElems = (long) batch * kvLen * kvHeads * headDim, rows = (long) batch * heads * qLen;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = uniform(arena, rnd, qElems, -1, 1), k = uniform(arena, rnd, kvElems, -1, 1), v = uniform(arena, rnd, kvElems, -1, 1);
            MemorySegment dOut = uniform(arena, rnd, qElems, -1, 1), mask = mask(arena, rnd, s, maskKind);
            MemorySegment out = zeros(arena, qElems), lse = zeros(arena, rows), refOut = zeros(arena, qElems), refLse = zeros(arena, rows);
            device.attention(s, q, k, v, mask, out, lse);
            ORACLE.attention(s, q, k, v, mask, refOut, refLse);
            String where = s + " mask " + maskKind + ": ";
            double tol = 2e-5 * Math.sqrt(headDim + kvLen);
            assertClose(where + "out", out, refOut, qElems, tol);
            assertClose(where + "lse", lse, refLse, rows, tol);
            // backward from the oracle's forward, so that both sides differentiate the same numbers
            MemorySegment dq = zeros(arena, qElems), dk = zeros(arena, kvElems), dv = zeros(arena, kvElems);
            MemorySegment rdq = zeros(arena, qElems), rdk = zeros(arena, kvElems), rdv = zeros(arena, kvElems);
            device.attentionBackward(s, q, k, v, mask, refOut, refLse, dOut, dq, dk, dv);
            ORACLE.attentionBackward(s, q, k, v, mask, refOut, refLse, dOut, rdq, rdk, rdv);
            double kvTol = tol * Math.sqrt((double) qLen * heads / kvHeads);
            assertClose(where + "dq", dq, rdq, qElems, tol);
            assertClose(where + "dk", dk, rdk, kvElems, kvTol);
            assertClose(where + "dv", dv, rdv, kvElems, kvTol);
        }
    }

    private static MemorySegment mask(Arena arena, SplittableRandom rnd, AttentionShape s, MaskKind kind) {
        if (kind == MaskKind.NONE) return null;
        int qLen = s.qLen(), kvLen = s.kvLen();
        MemorySegment m = zeros(arena, (long) s.maskBatches() * qLen * kvLen);
        for (int mb = 0; mb < s.maskBatches(); mb++)
            for (int i = 0; i < qLen; i++)
                for (int j = 0; j < kvLen; j++) {
                    float value = kind == MaskKind.SHARED_RANDOM
                            ? (rnd.nextInt(4) == 0 ? MASKED : (float) rnd.nextDouble(-1, 1))
                            : (j > i + (kvLen - qLen) + mb ? MASKED : 0f); // each batch shifts its causal diagonal
                    m.setAtIndex(FLOAT, ((long) mb * qLen + i) * kvLen + j, value);
                }
        return m;
    }
}
