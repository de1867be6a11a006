package dev.fusedit.tensor.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.KernelBuffers.FLOAT;
import static dev.fusedit.tensor.kernels.KernelBuffers.assertClose;
import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;

/**
 * One attention comparison, forward and backward, of a provider against the scalar oracle on
 * random inputs and a chosen mask; shared by the Vector API tests and the other providers' tests
 * (tornado-tasks, through the test jar).
 */
public final class AttentionCheck {
    private AttentionCheck() {}

    private static final Kernels ORACLE = ScalarKernels.F32;

    /** How the additive mask is built: masked entries hold -3.4e38 as in the model, never -inf. */
    public enum MaskKind { NONE, SHARED_RANDOM, PER_BATCH_RANDOM, SHARED_CAUSAL, PER_BATCH_CAUSAL, PER_BATCH_KEYS_FROM_ROW }

    static final float MASKED = -3.4e38f;

    public static void compare(Kernels fast, int batch, int heads, int kvHeads, int qLen, int kvLen, int headDim, float scale, float softCap,
                                MaskKind maskKind, long seed) {
        int maskBatches = switch (maskKind) {
            case NONE -> 0;
            case SHARED_RANDOM, SHARED_CAUSAL -> 1;
            default -> batch;
        };
        var s = new AttentionShape(batch, heads, kvHeads, qLen, kvLen, headDim, scale, softCap, maskBatches);
        try (Arena arena = Arena.ofShared()) {
            Inputs in = Inputs.random(arena, s, maskKind, seed);
            Outputs fastOut = Outputs.allocate(arena, s), ref = Outputs.allocate(arena, s);
            run(fast, s, in, fastOut);
            run(ORACLE, s, in, ref);
            String where = s + " mask " + maskKind + ": ";
            double tol = 2e-5 * Math.sqrt(headDim + kvLen);
            assertClose(where + "out", fastOut.out, ref.out, in.qElems, tol);
            assertClose(where + "lse", fastOut.lse, ref.lse, in.lseElems, tol);
            assertClose(where + "dq", fastOut.dq, ref.dq, in.qElems, tol);
            assertClose(where + "dk", fastOut.dk, ref.dk, in.kvElems, tol * Math.sqrt(qLen * heads / kvHeads));
            assertClose(where + "dv", fastOut.dv, ref.dv, in.kvElems, tol * Math.sqrt(qLen * heads / kvHeads));
        }
    }

    /** Forward, then backward from the provider's own out and lse (as autograd would). */
    static void run(Kernels kernels, AttentionShape s, Inputs in, Outputs o) {
        kernels.attention(s, in.q, in.k, in.v, in.mask, o.out, o.lse);
        kernels.attentionBackward(s, in.q, in.k, in.v, in.mask, o.out, o.lse, in.dOut, o.dq, o.dk, o.dv);
    }

    record Inputs(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask, MemorySegment dOut,
                          long qElems, long kvElems, long lseElems) {
        static Inputs random(Arena arena, AttentionShape s, MaskKind kind, long seed) {
            var rnd = new SplittableRandom(seed);
            long qElems = (long) s.batch() * s.qLen() * s.heads() * s.headDim();
            long kvElems = (long) s.batch() * s.kvLen() * s.kvHeads() * s.headDim();
            return new Inputs(uniform(arena, rnd, qElems, -1, 1), uniform(arena, rnd, kvElems, -1, 1),
                    uniform(arena, rnd, kvElems, -1, 1), mask(arena, rnd, s, kind), uniform(arena, rnd, qElems, -1, 1),
                    qElems, kvElems, (long) s.batch() * s.heads() * s.qLen());
        }

        private static MemorySegment mask(Arena arena, SplittableRandom rnd, AttentionShape s, MaskKind kind) {
            if (kind == MaskKind.NONE) return null;
            int qLen = s.qLen(), kvLen = s.kvLen();
            MemorySegment m = zeros(arena, (long) s.maskBatches() * qLen * kvLen);
            for (int mb = 0; mb < s.maskBatches(); mb++) {
                // per-batch masks differ: each batch shifts its causal diagonal by its index
                int shift = kind == MaskKind.SHARED_CAUSAL ? 0 : mb;
                for (int i = 0; i < qLen; i++)
                    for (int j = 0; j < kvLen; j++) {
                        float value = switch (kind) {
                            case SHARED_RANDOM, PER_BATCH_RANDOM -> rnd.nextInt(4) == 0 ? MASKED : (float) rnd.nextDouble(-1, 1);
                            case SHARED_CAUSAL, PER_BATCH_CAUSAL -> j > i + (kvLen - qLen) + shift ? MASKED : 0f;
                            case PER_BATCH_KEYS_FROM_ROW -> j < i - shift ? MASKED : 0f;
                            case NONE -> throw new AssertionError();
                        };
                        m.setAtIndex(FLOAT, ((long) mb * qLen + i) * kvLen + j, value);
                    }
            }
            return m;
        }
    }

    record Outputs(MemorySegment out, MemorySegment lse, MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        static Outputs allocate(Arena arena, AttentionShape s) {
            long qElems = (long) s.batch() * s.qLen() * s.heads() * s.headDim();
            long kvElems = (long) s.batch() * s.kvLen() * s.kvHeads() * s.headDim();
            return new Outputs(zeros(arena, qElems), zeros(arena, (long) s.batch() * s.heads() * s.qLen()),
                    zeros(arena, qElems), zeros(arena, kvElems), zeros(arena, kvElems));
        }
    }
}
