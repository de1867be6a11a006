package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.MatmulShape;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The device GEMM: one work-group computes a TILE×TILE block of C, staging TILE×TILE tiles of A
 * and B in local memory per step along k. Work-item (x, y, z) = (column of C, row of C, batch).
 * Dimensions travel in an {@link IntArray} instead of scalar task arguments so that one compiled
 * task graph serves every shape of its size class (TornadoVM fixes scalar arguments when the graph
 * is built). TornadoVM compiles this bytecode to OpenCL/PTX: the class must keep its debug info (-g).
 */
public final class GemmKernel {
    private GemmKernel() {}

    /** Tile edge: 16×16 = 256 work-items per group, within every OpenCL and CUDA device's limit. */
    public static final int TILE = 16;

    // Slots of the IntArray of dimensions.
    static final int BATCH = 0, M = 1, N = 2, K = 3, TRANS_A = 4, TRANS_B = 5, STRIDE_A = 6, STRIDE_B = 7, STRIDE_C = 8, ACCUMULATE = 9;
    public static final int DIMS = 10;

    /** Writes {@code s} into the dims slots (host side, not compiled for the device). */
    public static void setShape(IntArray d, MatmulShape s) {
        d.set(BATCH, s.batch());
        d.set(M, s.m());
        d.set(N, s.n());
        d.set(K, s.k());
        d.set(TRANS_A, s.transA() ? 1 : 0);
        d.set(TRANS_B, s.transB() ? 1 : 0);
        d.set(STRIDE_A, Math.toIntExact(s.strideA()));
        d.set(STRIDE_B, Math.toIntExact(s.strideB()));
        d.set(STRIDE_C, Math.toIntExact(s.strideC()));
        d.set(ACCUMULATE, s.accumulate() ? 1 : 0);
    }

    public static void matmul(KernelContext ctx, IntArray dims, FloatArray a, FloatArray b, FloatArray c) {
        int m = dims.get(M), n = dims.get(N), k = dims.get(K);
        boolean transA = dims.get(TRANS_A) != 0, transB = dims.get(TRANS_B) != 0;
        int tx = ctx.localIdx;
        int ty = ctx.localIdy;
        int col = ctx.groupIdx * TILE + tx;
        int row = ctx.groupIdy * TILE + ty;
        int bt = ctx.globalIdz;
        int oa = bt * dims.get(STRIDE_A), ob = bt * dims.get(STRIDE_B), oc = bt * dims.get(STRIDE_C);

        float[] aTile = ctx.allocateFloatLocalArray(TILE * TILE);
        float[] bTile = ctx.allocateFloatLocalArray(TILE * TILE);
        float acc = 0.0f;
        for (int t = 0; t < k; t += TILE) {
            // Out-of-range elements load as 0, so every work-item reaches both barriers.
            int ak = t + tx;
            float av = 0.0f;
            if (row < m && ak < k) av = transA ? a.get(oa + ak * m + row) : a.get(oa + row * k + ak);
            aTile[ty * TILE + tx] = av;
            int bk = t + ty;
            float bv = 0.0f;
            if (bk < k && col < n) bv = transB ? b.get(ob + col * k + bk) : b.get(ob + bk * n + col);
            bTile[ty * TILE + tx] = bv;
            ctx.localBarrier();
            for (int p = 0; p < TILE; p++) acc += aTile[ty * TILE + p] * bTile[p * TILE + tx];
            ctx.localBarrier();
        }
        if (row < m && col < n) {
            int at = oc + row * n + col;
            if (dims.get(ACCUMULATE) != 0) acc += c.get(at);
            c.set(at, acc);
        }
    }
}
