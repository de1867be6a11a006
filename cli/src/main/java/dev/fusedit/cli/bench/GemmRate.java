package dev.fusedit.cli.bench;

import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.MatmulShape;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Our float32 GEMM's rate on the active kernels, measured in the calling process: the rate a step's floor is computed with. */
public final class GemmRate {
    private GemmRate() {}

    /** FLOP/s of an m×k by k×n product, the median of 7 after two untimed calls. */
    public static double measure(int m, int n, int k) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(4L * m * k, 64), b = arena.allocate(4L * k * n, 64), c = arena.allocate(4L * m * n, 64);
            a.fill((byte) 0x3c);
            b.fill((byte) 0x3c);
            MatmulShape s = MatmulShape.of(m, n, k);
            for (int i = 0; i < 2; i++) KernelProvider.current().matmul(s, a, b, c);
            double[] t = new double[7];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                KernelProvider.current().matmul(s, a, b, c);
                t[i] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(t);
            return s.flops() / t[t.length / 2];
        }
    }
}
