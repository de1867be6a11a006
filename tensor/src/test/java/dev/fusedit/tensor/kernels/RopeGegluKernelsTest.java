package dev.fusedit.tensor.kernels;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.KernelBuffers.FLOAT;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.fusedit.tensor.kernels.KernelBuffers.assertClose;
import static dev.fusedit.tensor.kernels.KernelBuffers.copy;
import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;

/**
 * {@link VectorPointwiseKernels} (through {@link VectorKernels}) against the scalar oracle: RoPE and
 * GeGLU, at sizes below and above the single-thread threshold (32K elements), with widths that are
 * not multiples of any vector length.
 */
class RopeGegluKernelsTest {

    private static final KernelPool POOL = new KernelPool(2);
    private static final Kernels FAST = new VectorKernels(POOL);
    private static final Kernels ORACLE = ScalarKernels.F32;
    private static final double TOL = 1e-5;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @Test
    void ropeForwardAndInverseMatchTheOracle() {
        rope(1, 1, 1, 2, 1, 1);
        rope(2, 5, 3, 6, 2, 2);
        rope(1, 7, 2, 34, 1, 3);
        rope(2, 65, 4, 64, 2, 4);   // 33280 elements: parallel
        rope(3, 40, 3, 98, 1, 5);   // parallel, half = 49
    }

    private static void rope(int batch, int seq, int heads, int headDim, int cosBatches, long seed) {
        var s = new RopeShape(batch, seq, heads, headDim, cosBatches);
        var rnd = new SplittableRandom(seed);
        long n = (long) batch * seq * heads * headDim, cs = (long) cosBatches * seq * headDim;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = uniform(arena, rnd, n, -2, 2), cos = uniform(arena, rnd, cs, -1, 1), sin = uniform(arena, rnd, cs, -1, 1);
            for (boolean inverse : new boolean[]{false, true}) {
                MemorySegment fast = zeros(arena, n), ref = zeros(arena, n);
                FAST.rope(s, x, cos, sin, fast, inverse);
                ORACLE.rope(s, x, cos, sin, ref, inverse);
                assertClose(s + " inverse " + inverse, fast, ref, n, TOL);
                // out may be x
                MemorySegment inPlace = copy(arena, x);
                FAST.rope(s, inPlace, cos, sin, inPlace, inverse);
                assertClose(s + " in place, inverse " + inverse, inPlace, ref, n, TOL);
            }
        }
    }

    @Test
    void gegluForwardAndBackwardMatchTheOracle() {
        // 40 and 48 leave an odd count of vectors at some width (the vector loops take two at a time)
        for (long n : new long[]{1, 17, 40, 48, 1000, 40_001, 100_003}) {
            var rnd = new SplittableRandom(n);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment gate = uniform(arena, rnd, n, -6, 6), up = uniform(arena, rnd, n, -2, 2), dy = uniform(arena, rnd, n, -1, 1);
                MemorySegment out = zeros(arena, n), refOut = zeros(arena, n);
                FAST.geglu(n, gate, up, out);
                ORACLE.geglu(n, gate, up, refOut);
                assertClose("geglu n=" + n, out, refOut, n, TOL);
                MemorySegment dGate = zeros(arena, n), dUp = zeros(arena, n), refDGate = zeros(arena, n), refDUp = zeros(arena, n);
                FAST.gegluBackward(n, gate, up, dy, dGate, dUp);
                ORACLE.gegluBackward(n, gate, up, dy, refDGate, refDUp);
                assertClose("geglu dGate n=" + n, dGate, refDGate, n, TOL);
                assertClose("geglu dUp n=" + n, dUp, refDUp, n, TOL);
            }
        }
    }
}
