package dev.fusedit.tensor.kernels;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.fusedit.tensor.kernels.AttentionCheck.Inputs;
import dev.fusedit.tensor.kernels.AttentionCheck.MaskKind;
import dev.fusedit.tensor.kernels.AttentionCheck.Outputs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.AttentionCheck.compare;
import static dev.fusedit.tensor.kernels.AttentionCheck.run;
import static dev.fusedit.tensor.kernels.KernelBuffers.assertClose;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link VectorAttention} (through {@link VectorKernels}) against the scalar oracle, forward and backward. */
class AttentionKernelsTest {

    private static final KernelPool POOL = new KernelPool(2);
    private static final Kernels FAST = new VectorKernels(POOL);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @Test
    void headDimOneSingleQueryAndKey() {
        compare(FAST, 1, 1, 1, 1, 1, 1, 1.0f, 0, MaskKind.NONE, 1);
    }

    @Test
    void groupedQueryHeadsWithSharedRandomMask() {
        compare(FAST, 2, 4, 2, 37, 70, 3, 0.7f, 0, MaskKind.SHARED_RANDOM, 2);
    }

    @Test
    void moreQueriesThanKeysWithSoftCapAndPerBatchCausalMask() {
        compare(FAST, 2, 3, 1, 70, 37, 17, 1.3f, 5.0f, MaskKind.PER_BATCH_CAUSAL, 3);
    }

    @Test
    void rowsWhoseFirstKeyTilesAreFullyMaskedStayFinite() {
        // Row i sees only keys j >= i: past the first key tile, whole tiles of a row are masked
        // before any visible key arrives.
        compare(FAST, 2, 2, 2, 150, 150, 64, 0.125f, 0, MaskKind.PER_BATCH_KEYS_FROM_ROW, 4);
    }

    @Test
    void fullyMaskedRowsAndSoftCapWithSharedCausalMask() {
        // qLen > kvLen under a bottom-right-aligned causal mask: the first rows see no key at all.
        compare(FAST, 1, 4, 4, 129, 65, 17, 2.0f, 5.0f, MaskKind.SHARED_CAUSAL, 5);
    }

    @Test
    void perBatchRandomMaskAndSoftCapAtVectorFriendlyWidth() {
        compare(FAST, 2, 4, 1, 33, 97, 64, 0.125f, 5.0f, MaskKind.PER_BATCH_RANDOM, 6);
    }

    @Test
    void randomShapes() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[] dims = {1, 3, 17, 64};
        for (int trial = 0; trial < 6; trial++) {
            int kvHeads = 1 + rnd.nextInt(2), heads = kvHeads * (1 + rnd.nextInt(2));
            MaskKind mask = MaskKind.values()[rnd.nextInt(MaskKind.values().length)];
            compare(FAST, 1 + rnd.nextInt(2), heads, kvHeads, 1 + rnd.nextInt(80), 1 + rnd.nextInt(80), dims[rnd.nextInt(dims.length)],
                    (float) rnd.nextDouble(0.1, 1.5), rnd.nextBoolean() ? 0 : 5.0f, mask, 100 + trial);
        }
    }

    @Test
    void backwardIsBitIdenticalWithSavedScoreGradientsInRoundsAndWhenRecomputed() {
        // 2 kv heads x 2 batches = 4 groups, each 2 query heads x 2 query tiles x 3 key tiles of saved dS
        var s = new AttentionShape(2, 4, 2, VectorAttention.Q_TILE + 36, 2 * VectorAttention.K_TILE + 2, 40, 0.15f, 4.0f, 2);
        long groupFloats = 2L * 2 * 3 * VectorAttention.Q_TILE * VectorAttention.K_TILE;
        try (Arena arena = Arena.ofShared()) {
            Inputs in = Inputs.random(arena, s, MaskKind.PER_BATCH_RANDOM, 12);
            Outputs all = Outputs.allocate(arena, s);
            FAST.attention(s, in.q(), in.k(), in.v(), in.mask(), all.out(), all.lse());
            new VectorAttention(POOL).backward(s, in.q(), in.k(), in.v(), in.mask(), all.out(), all.lse(), in.dOut(), all.dq(), all.dk(), all.dv());
            // one group per round, three then one, and none saved (the query pass recomputes dS)
            for (long budget : new long[] {groupFloats, 3 * groupFloats + 5, groupFloats - 1, 0}) {
                Outputs o = Outputs.allocate(arena, s);
                new VectorAttention(POOL, budget).backward(s, in.q(), in.k(), in.v(), in.mask(), all.out(), all.lse(), in.dOut(), o.dq(), o.dk(), o.dv());
                assertClose("dq, budget " + budget, o.dq(), all.dq(), in.qElems(), 0);
                assertClose("dk, budget " + budget, o.dk(), all.dk(), in.kvElems(), 0);
                assertClose("dv, budget " + budget, o.dv(), all.dv(), in.kvElems(), 0);
            }
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        var s = new AttentionShape(1, 2, 1, 300, 300, 64, 0.125f, 5.0f, 1);
        try (Arena arena = Arena.ofShared(); KernelPool one = new KernelPool(1)) {
            Inputs in = Inputs.random(arena, s, MaskKind.SHARED_CAUSAL, 11);
            Outputs a = Outputs.allocate(arena, s), b = Outputs.allocate(arena, s);
            run(new VectorKernels(one), s, in, a);
            run(FAST, s, in, b);
            // Each element is summed in the same order at any thread count; only the JIT's choice
            // between interpreted and intrinsic exp/tanh while warming up may move the last bits.
            assertClose("out", a.out(), b.out(), in.qElems(), 1e-5);
            assertClose("lse", a.lse(), b.lse(), in.lseElems(), 1e-5);
            assertClose("dq", a.dq(), b.dq(), in.qElems(), 1e-5);
            assertClose("dk", a.dk(), b.dk(), in.kvElems(), 1e-5);
            assertClose("dv", a.dv(), b.dv(), in.kvElems(), 1e-5);
        }
    }

    @Test
    void aCallReadsNothingAnEarlierCallLeftInTheReusedArrays() {
        // NaN everywhere in K, V and dOut: the calling thread's staged arrays and saved dS are full of NaN
        // (and larger than the next shape needs); the next, smaller call must still match the oracle
        var big = new AttentionShape(3, 4, 2, 150, 170, 40, 0.15f, 0f, 0);
        try (Arena arena = Arena.ofShared()) {
            Inputs poison = Inputs.random(arena, big, MaskKind.NONE, 21);
            for (MemorySegment m : new MemorySegment[] {poison.k(), poison.v(), poison.dOut()}) m.fill((byte) 0xff);
            run(FAST, big, poison, Outputs.allocate(arena, big));
        }
        compare(FAST, 2, 4, 2, 70, 90, 24, 0.2f, 0f, MaskKind.PER_BATCH_RANDOM, 22);
        compare(FAST, 1, 2, 2, 129, 33, 40, 0.15f, 0f, MaskKind.SHARED_CAUSAL, 23);
    }

    @Test
    void segmentsTooSmallForTheShapeAreRejected() {
        var s = new AttentionShape(1, 2, 1, 4, 5, 3, 1f, 0f, 1);
        try (Arena arena = Arena.ofShared()) {
            Inputs in = Inputs.random(arena, s, MaskKind.SHARED_RANDOM, 12);
            Outputs o = Outputs.allocate(arena, s);
            MemorySegment shortMask = zeros(arena, 19);
            assertThatThrownBy(() -> FAST.attention(s, in.q(), in.k(), in.v(), shortMask, o.out(), o.lse()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask [maskBatches, qLen, kvLen]").hasMessageContaining("20");
            assertThatThrownBy(() -> FAST.attentionBackward(s, in.q(), in.k(), in.v(), in.mask(), o.out(), o.lse(), in.dOut(), o.dq(), o.lse(), o.dv()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dk");
        }
    }
}
