package dev.fusedit.tensor.kernels;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The row kernels and attention give the same bits on their first call (interpreted, C1) and
 * after C2 has compiled them. A reduction whose order the JIT may change (reduceLanes(ADD))
 * broke this: a resumed training run then no longer repeated an uninterrupted one, and one
 * sample of a batch moved when another sample's prompt changed.
 */
class JitWarmupDeterminismTest {
    private static final KernelPool POOL = new KernelPool(2);
    private static final Kernels FAST = new VectorKernels(POOL);
    /** Enough calls for C2 to compile the kernels' loops (it does after a few hundred here). */
    private static final int CALLS = 1500;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @Test
    void rmsNormAndSoftmaxRepeatTheirFirstResultBitForBit() {
        int rows = 16, dim = 203;
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(3);
            MemorySegment x = uniform(arena, rnd, (long) rows * dim, -3, 3), w = uniform(arena, rnd, dim, -1, 1);
            MemorySegment first = zeros(arena, (long) rows * dim), firstRstd = zeros(arena, rows), firstSoft = zeros(arena, (long) rows * dim);
            FAST.rmsNorm(rows, dim, 1e-6f, 1f, x, w, first, firstRstd);
            FAST.softmax(rows, dim, x, firstSoft);
            MemorySegment out = zeros(arena, (long) rows * dim), rstd = zeros(arena, rows), soft = zeros(arena, (long) rows * dim);
            for (int call = 0; call < CALLS; call++) {
                FAST.rmsNorm(rows, dim, 1e-6f, 1f, x, w, out, rstd);
                FAST.softmax(rows, dim, x, soft);
                assertThat(out.mismatch(first)).as("rmsNorm call %d", call).isEqualTo(-1);
                assertThat(soft.mismatch(firstSoft)).as("softmax call %d", call).isEqualTo(-1);
            }
        }
    }

    @Test
    void attentionRepeatsItsFirstResultBitForBit() {
        var s = new AttentionShape(2, 4, 2, 37, 45, 32, 0.17f, 0f, 0);
        long qn = (long) s.batch() * s.qLen() * s.heads() * s.headDim(), kn = (long) s.batch() * s.kvLen() * s.kvHeads() * s.headDim();
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(4);
            MemorySegment q = uniform(arena, rnd, qn, -2, 2), k = uniform(arena, rnd, kn, -2, 2), v = uniform(arena, rnd, kn, -2, 2);
            long lsen = (long) s.batch() * s.heads() * s.qLen();
            MemorySegment first = zeros(arena, qn), firstLse = zeros(arena, lsen), out = zeros(arena, qn), lse = zeros(arena, lsen);
            FAST.attention(s, q, k, v, null, first, firstLse);
            for (int call = 0; call < CALLS / 5; call++) {
                FAST.attention(s, q, k, v, null, out, lse);
                assertThat(out.mismatch(first)).as("attention call %d", call).isEqualTo(-1);
                assertThat(lse.mismatch(firstLse)).as("attention lse call %d", call).isEqualTo(-1);
            }
        }
    }
}
