package dev.fusedit.tornado;

import dev.fusedit.tensor.kernels.AdamWStep;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.RopeShape;
import dev.fusedit.tensor.kernels.ScalarKernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.KernelBuffers.assertClose;
import static dev.fusedit.tensor.kernels.KernelBuffers.copy;
import static dev.fusedit.tensor.kernels.KernelBuffers.uniform;
import static dev.fusedit.tensor.kernels.KernelBuffers.zeros;

/** Device RoPE, RMSNorm, GeGLU, softmax and AdamW against the scalar oracle, on odd sizes. */
class TornadoRowKernelsTest extends DeviceUnderTest {
    private static final Kernels ORACLE = ScalarKernels.F32;
    private static final double TOL = 2e-5;
    @Test
    void ropeForwardAndInverseWithSharedAndPerBatchTables() {
        var rnd = new SplittableRandom(1);
        for (RopeShape s : new RopeShape[] {new RopeShape(2, 7, 3, 6, 1), new RopeShape(3, 5, 1, 34, 3)}) {
            for (boolean inverse : new boolean[] {false, true}) {
                try (Arena arena = Arena.ofConfined()) {
                    long n = (long) s.batch() * s.seq() * s.heads() * s.headDim(), cs = (long) s.cosBatches() * s.seq() * s.headDim();
                    MemorySegment x = uniform(arena, rnd, n, -1, 1), cos = uniform(arena, rnd, cs, -1, 1), sin = uniform(arena, rnd, cs, -1, 1);
                    MemorySegment got = zeros(arena, n), want = zeros(arena, n);
                    device.rope(s, x, cos, sin, got, inverse);
                    ORACLE.rope(s, x, cos, sin, want, inverse);
                    assertClose(s + " inverse " + inverse, got, want, n, TOL);
                }
            }
        }
    }

    @Test
    void rmsNormWithAndWithoutWeightAndItsGradients() {
        var rnd = new SplittableRandom(2);
        int[][] shapes = {{1, 1}, {19, 130}};
        for (int[] rc : shapes) {
            for (boolean weighted : new boolean[] {false, true}) {
                int rows = rc[0], dim = rc[1];
                long n = (long) rows * dim;
                float offset = weighted ? 1.0f : 0.0f;
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment x = uniform(arena, rnd, n, -2, 2), w = weighted ? uniform(arena, rnd, dim, -1, 1) : null;
                    MemorySegment out = zeros(arena, n), rstd = zeros(arena, rows), refOut = zeros(arena, n), refRstd = zeros(arena, rows);
                    device.rmsNorm(rows, dim, 1e-6f, offset, x, w, out, rstd);
                    ORACLE.rmsNorm(rows, dim, 1e-6f, offset, x, w, refOut, refRstd);
                    String where = rows + "x" + dim + (weighted ? " weighted" : "") + ": ";
                    assertClose(where + "out", out, refOut, n, TOL);
                    assertClose(where + "rstd", rstd, refRstd, rows, TOL);

                    MemorySegment dOut = uniform(arena, rnd, n, -1, 1), dx = zeros(arena, n), refDx = zeros(arena, n);
                    MemorySegment dw = weighted ? uniform(arena, rnd, dim, -1, 1) : null, refDw = weighted ? copy(arena, dw) : null;
                    device.rmsNormBackward(rows, dim, offset, x, w, refRstd, dOut, dx, dw);
                    ORACLE.rmsNormBackward(rows, dim, offset, x, w, refRstd, dOut, refDx, refDw);
                    assertClose(where + "dx", dx, refDx, n, TOL * Math.sqrt(dim));
                    if (weighted) assertClose(where + "dw (accumulated)", dw, refDw, dim, TOL * Math.sqrt(rows));
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
                MemorySegment out = zeros(arena, n), refOut = zeros(arena, n);
                device.geglu(n, gate, up, out);
                ORACLE.geglu(n, gate, up, refOut);
                assertClose("geglu n=" + n, out, refOut, n, TOL);
                MemorySegment dGate = zeros(arena, n), dUp = zeros(arena, n), refDGate = zeros(arena, n), refDUp = zeros(arena, n);
                device.gegluBackward(n, gate, up, dOut, dGate, dUp);
                ORACLE.gegluBackward(n, gate, up, dOut, refDGate, refDUp);
                assertClose("geglu dGate n=" + n, dGate, refDGate, n, TOL);
                assertClose("geglu dUp n=" + n, dUp, refDUp, n, TOL);
            }
        }
    }

    @Test
    void softmaxAndItsGradientOnOddRows() {
        var rnd = new SplittableRandom(4);
        int[][] shapes = {{1, 1}, {5, 77}, {33, 9}};
        for (int[] rc : shapes) {
            int rows = rc[0], cols = rc[1];
            long n = (long) rows * cols;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment x = uniform(arena, rnd, n, -20, 20), y = zeros(arena, n), refY = zeros(arena, n);
                device.softmax(rows, cols, x, y);
                ORACLE.softmax(rows, cols, x, refY);
                assertClose("softmax " + rows + "x" + cols, y, refY, n, TOL);
                MemorySegment dy = uniform(arena, rnd, n, -1, 1), dx = zeros(arena, n), refDx = zeros(arena, n);
                device.softmaxBackward(rows, cols, refY, dy, dx);
                ORACLE.softmaxBackward(rows, cols, refY, dy, refDx);
                assertClose("softmax dx " + rows + "x" + cols, dx, refDx, n, TOL);
            }
        }
    }

    @Test
    void adamwUpdatesParametersAndMomentsInPlace() {
        var rnd = new SplittableRandom(5);
        for (long n : new long[] {1, 517}) {
            var step = new AdamWStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 7);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = uniform(arena, rnd, n, -1, 1), g = uniform(arena, rnd, n, -1, 1);
                MemorySegment m = uniform(arena, rnd, n, -0.1, 0.1), v = uniform(arena, rnd, n, 0, 0.01);
                MemorySegment rp = copy(arena, p), rm = copy(arena, m), rv = copy(arena, v);
                device.adamw(n, step, p, g, m, v);
                ORACLE.adamw(n, step, rp, g, rm, rv);
                assertClose("adamw param n=" + n, p, rp, n, 1e-6);
                assertClose("adamw m n=" + n, m, rm, n, 1e-6);
                assertClose("adamw v n=" + n, v, rv, n, 1e-6);
            }
        }
    }
}
