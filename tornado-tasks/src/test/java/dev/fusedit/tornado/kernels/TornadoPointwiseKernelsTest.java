package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.RopeShape;
import dev.fusedit.tornado.DeviceUnderTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;

/** Device RoPE and GeGLU ({@link PointwiseKernels}), forward and backward, against the scalar oracle, on odd sizes. */
class TornadoPointwiseKernelsTest extends DeviceUnderTest {
    private static final double TOL = 2e-5;

    @Test
    void ropeForwardAndInverseWithSharedAndPerBatchTables() {
        var rnd = new SplittableRandom(1);
        for (RopeShape s : new RopeShape[] {new RopeShape(2, 7, 3, 6, 1), new RopeShape(3, 5, 1, 34, 3)}) {
            for (boolean inverse : new boolean[] {false, true}) {
                try (Arena arena = Arena.ofConfined()) {
                    long n = (long) s.batch() * s.seq() * s.heads() * s.headDim(), cs = (long) s.cosBatches() * s.seq() * s.headDim();
                    assertMatchesOracle(arena, s + " inverse " + inverse, TOL, (k, o) -> k.rope(s, o[0], o[1], o[2], o[3], inverse),
                            uniform(arena, rnd, n, -1, 1), uniform(arena, rnd, cs, -1, 1), uniform(arena, rnd, cs, -1, 1), zeros(arena, n));
                }
            }
        }
    }

    @Test
    void gegluAndItsGradientsOnOddLengths() {
        var rnd = new SplittableRandom(3);
        for (long n : new long[] {1, 63, 1001}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment gate = uniform(arena, rnd, n, -4, 4), up = uniform(arena, rnd, n, -2, 2), dOut = uniform(arena, rnd, n, -1, 1);
                assertMatchesOracle(arena, "geglu n=" + n, TOL, (k, o) -> k.geglu(n, o[0], o[1], o[2]), gate, up, zeros(arena, n));
                assertMatchesOracle(arena, "geglu backward n=" + n, TOL, (k, o) -> k.gegluBackward(n, o[0], o[1], o[2], o[3], o[4]),
                        gate, up, dOut, zeros(arena, n), zeros(arena, n));
            }
        }
    }
}
