package dev.fusedit.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.util.function.IntConsumer;

import static dev.fusedit.tensor.kernels.GemmPacking.FLOAT;
import static dev.fusedit.tensor.kernels.GemmPacking.ORDER;
import static dev.fusedit.tensor.kernels.VectorWidth.F;
import static dev.fusedit.tensor.kernels.VectorWidth.LANES;

/**
 * Float32 {@link Kernels#matmul} on the Vector API, organised like BLIS/GotoBLAS:
 *
 * <pre>
 * for jc in N step NC            op(B) columns whose packed KC x NC block fits PACKED_B_BLOCK (L3)
 *   for pc in K step KC
 *     pack op(B)[pc.., jc..]       in parallel, shared by every thread below
 *     parallel for (ic block of MC rows) x (group of NR panels)
 *       pack op(A)[ic.., pc..]     MC x KC, private to the thread, lives in L2
 *       for each NR panel jr       its KC x NR slice of packed B is reused (L1/L2) across ir
 *         for each MR panel ir     micro-kernel: MR x NR tile of C in registers, KC rank-1 updates
 * </pre>
 *
 * The micro-kernel keeps an MR x NR = 8 x 2-vector tile of C in 16 vector registers; each k step
 * loads 2 vectors of B and broadcasts 8 values of A into 16 FMAs. On this Zen core every shape from
 * 4x3 to 12x2 reaches the same FMA peak from L1 (except 8x3: 24 accumulators, ~15% slower as C2
 * allocates them), and 8x2 needs the fewest registers, so it keeps its speed at 256 and 128 bits,
 * where NR shrinks with the lanes. Packing turns every transA/transB combination into the same
 * contiguous layout, so there is one kernel.
 *
 * <p>Few rows (m ≤ {@value #MATVEC_MAX_M}: a decoded token against a weight) take a matrix-vector
 * path instead that streams B once with no packing, since it is bound by memory, not FMAs.
 *
 * <p>A bfloat16 B ({@link Kernels#matmulBf16Weights}) runs the same blocked product with B widened
 * while it is packed (packing already copies every element of B once), and few rows against a
 * stored-transposed bfloat16 B take a matrix-vector path that widens in registers, reading the
 * weight at 2 bytes per element.
 */
final class VectorGemm {
    /** Rows of the micro-tile (broadcast values of A per k step). */
    static final int MR = 8;
    /** Vectors per micro-tile row (loads of B per k step). */
    static final int NV = 2;
    /** Columns of the micro-tile. */
    static final int NR = NV * LANES;
    /**
     * Depth of one rank-KC update. The C tile is read, added to and written back once per KC steps,
     * and those reads miss every cache (C tiles are rows n floats apart), so a deep block pays for
     * them: profiled at KC = 512, storeTile took 15% of a 2048 x 2304 x 2048 product. At 1152 a
     * model's K (2304, 2048) takes two blocks instead of five, and the micro-kernel still runs
     * at full speed with its KC x NR slice of packed B (144 KiB at 512 bits) in L2 (measurements
     * in tensor/README.md).
     */
    static final int KC = 1152;
    /** Rows per A block (a multiple of MR): MC x KC floats = 288 KiB, beside the B slice in a core's 1 MiB L2. */
    static final int MC = 64;
    /**
     * Largest packed k block of a column chunk (floats) in the row-block order: 12 MiB, 3/8 of the
     * shared L3, so that a 2048-column projection's k block (2048 x KC) is packed as one chunk and
     * each A block is packed once.
     */
    static final long PACKED_B_BLOCK = 3L << 20;
    /**
     * Below this many flops (about 170³·2) a product runs on the calling thread: the two fork/join
     * rounds of a parallel product cost some 40 µs, a third of the time such a product takes.
     */
    static final double PARALLEL_MIN_FLOPS = 1e7;
    /**
     * op(B) up to this many floats (256 KiB) is packed by the calling thread: that takes less than the
     * 15-20 µs fork/join round that packing it in parallel would add.
     */
    static final long SERIAL_PACK_MAX = 1 << 16;
    /**
     * Fewest panels (NR columns each) a task of the few-rows split takes, so that packing the
     * task's copy of A stays small next to its multiply (and a short product such as the 128-row
     * dW = Xᵀ·dY of a training step, with few columns, keeps the split by rows).
     */
    static final int MIN_TASK_PANELS = 4;
    /**
     * Most rows for which the columns are split among tasks: measured here (2 threads, model
     * shapes), 2-8% faster at 64 rows, 0-5% slower at 128, where the split by rows already gives
     * each thread a block of A. At most MC: a task packs all rows as one A block.
     */
    static final int COLUMN_SPLIT_MAX_M = MC;
    /** Fewest rows a parallel task takes, so each KC x NR slice of packed B serves several micro-panels. */
    static final int MIN_TASK_ROWS = 32;
    /** Products with at most this many rows use the matrix-vector path. */
    static final int MATVEC_MAX_M = 4;
    /**
     * The matrix-vector path goes parallel only when B (in floats; 2 MiB here) outgrows a core's L2:
     * below that one thread streams it from cache faster than a fork/join round takes.
     */
    static final long MATVEC_PARALLEL_MIN_B = 1 << 19;
    /** Columns of C accumulated at once by the untransposed matrix-vector path (L1 resident). */
    static final int MATVEC_CHUNK = 512;

    private final KernelPool pool;
    /** Packing buffers per thread, reused across calls (a thread runs one block at a time). */
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);

    VectorGemm(KernelPool pool) {
        this.pool = pool;
    }

    private static final class Workspace {
        final float[] packA = new float[MC * KC];
        final float[] tile = new float[MR * NR];
        final float[] rowAcc = new float[MATVEC_MAX_M * MATVEC_CHUNK];
        /** Eight vectors' lanes, summed across by the matrix-vector paths. */
        final float[] lanes = new float[8 * LANES];
        float[] packB = new float[0];
        float[] scratch = new float[0];
        float[] rowsA = new float[0];

        float[] packB(int floats) {
            if (packB.length < floats) packB = new float[floats];
            return packB;
        }

        float[] scratch(int floats) {
            if (scratch.length < floats) scratch = new float[floats];
            return scratch;
        }

        float[] rowsA(int floats) {
            if (rowsA.length < floats) rowsA = new float[floats];
            return rowsA;
        }
    }

    void matmul(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c) {
        requireFloats("a", a, s.batch(), s.strideA(), (long) s.m() * s.k());
        requireFloats("b", b, s.batch(), s.strideB(), (long) s.k() * s.n());
        requireFloats("c", c, s.batch(), s.strideC(), (long) s.m() * s.n());
        if (s.batch() == 0 || s.m() == 0 || s.n() == 0) return;
        if (s.k() == 0) {
            if (!s.accumulate())
                for (int bt = 0; bt < s.batch(); bt++)
                    c.asSlice(bt * s.strideC() * Float.BYTES, (long) s.m() * s.n() * Float.BYTES).fill((byte) 0);
            return;
        }
        s = foldSharedWeightBatch(s);
        if (s.n() == 1 && s.m() > 1) {
            // A column result is laid out like a row: compute Cᵀ = op(B)ᵀ·op(A)ᵀ as one matrix-vector product.
            s = new MatmulShape(s.batch(), 1, s.m(), s.k(), !s.transB(), !s.transA(),
                    s.strideB(), s.strideA(), s.strideC(), s.accumulate());
            MemorySegment t = a;
            a = b;
            b = t;
        }
        if (s.m() <= MATVEC_MAX_M) matvec(s, a, b, c);
        else gemm(s, a, b, c);
    }

    private static void requireFloats(String name, MemorySegment seg, int batch, long stride, long matrix) {
        requireElements(name, seg, batch, stride, matrix, Float.BYTES, "floats");
    }

    private static void requireElements(String name, MemorySegment seg, int batch, long stride, long matrix, int bytes, String unit) {
        if (stride < 0) throw new IllegalArgumentException("matmul: batch stride of " + name + " must be >= 0, got " + stride);
        if (batch == 0 || matrix == 0) return;
        long need = (batch - 1) * stride + matrix;
        if (seg.byteSize() < need * bytes)
            throw new IllegalArgumentException("matmul: " + name + " must hold at least " + need + " " + unit + ", has " + seg.byteSize() / bytes);
    }

    /**
     * {@link Kernels#matmulBf16Weights}: the blocked GEMM widens B while packing it; few rows against
     * a stored-transposed B (a decoded token against a Linear weight) stream B once, widening in
     * registers, since that product is bound by reading the weight.
     */
    void matmulBf16Weights(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c) {
        requireFloats("a", a, s.batch(), s.strideA(), (long) s.m() * s.k());
        requireElements("b", b, s.batch(), s.strideB(), (long) s.k() * s.n(), Short.BYTES, "bfloat16 values");
        requireFloats("c", c, s.batch(), s.strideC(), (long) s.m() * s.n());
        if (s.batch() == 0 || s.m() == 0 || s.n() == 0) return;
        if (s.k() == 0) {
            matmul(s, a, b, c);
            return;
        }
        MatmulShape f = foldSharedWeightBatch(s);
        if (f.m() <= MATVEC_MAX_M && f.transB()) {
            boolean parallel = pool.threads() > 1 && (long) f.k() * f.n() * f.batch() >= 2 * MATVEC_PARALLEL_MIN_B;
            forBatches(f, parallel, (bt, inner) -> matvecBf16(f, a, b, c, bt, inner));
        } else {
            boolean parallel = pool.threads() > 1 && f.flops() >= PARALLEL_MIN_FLOPS;
            forBatches(f, parallel, (bt, inner) -> multiply(f, a, b, c, bt, inner, BF16_B));
        }
    }

    private static final BPacker BF16_B = GemmPacking::packBBf16;

    /** A batch of row-major A blocks against one shared B is a single taller product. */
    private static MatmulShape foldSharedWeightBatch(MatmulShape s) {
        long rows = (long) s.batch() * s.m();
        if (s.batch() > 1 && s.strideB() == 0 && !s.transA() && rows <= Integer.MAX_VALUE
                && s.strideA() == (long) s.m() * s.k() && s.strideC() == (long) s.m() * s.n())
            return new MatmulShape(1, (int) rows, s.n(), s.k(), false, s.transB(), rows * s.k(), 0, rows * s.n(), s.accumulate());
        return s;
    }

    /** Batches can run concurrently unless their C blocks overlap (e.g. stride 0 summing into one C). */
    private static boolean batchesIndependent(MatmulShape s) {
        return s.strideC() >= (long) s.m() * s.n();
    }

    private void run(boolean parallel, int tasks, IntConsumer body) {
        if (parallel) pool.forEach(tasks, body);
        else for (int t = 0; t < tasks; t++) body.accept(t);
    }

    /** Splits the batch across threads when there are enough batches, else each product internally. */
    private void forBatches(MatmulShape s, boolean parallel, BatchBody body) {
        if (parallel && s.batch() >= 2 * pool.threads() && batchesIndependent(s)) {
            pool.forEach(s.batch(), bt -> body.run(bt, false));
        } else {
            for (int bt = 0; bt < s.batch(); bt++) body.run(bt, parallel);
        }
    }

    @FunctionalInterface
    private interface BatchBody {
        void run(int batchIndex, boolean parallel);
    }

    // ------------------------------------------------------------------ blocked GEMM

    private void gemm(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c) {
        boolean parallel = pool.threads() > 1 && s.flops() >= PARALLEL_MIN_FLOPS;
        forBatches(s, parallel, (bt, inner) -> multiply(s, a, b, c, bt, inner));
    }

    /** One product of the batch; with parallel, its packing and tiles are spread over the pool. */
    private void multiply(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c, int bt, boolean parallel) {
        multiply(s, a, b, c, bt, parallel, F32_B);
    }

    /**
     * The blocked product with op(B) read by packer (float32 or widened bfloat16). A small k block
     * of op(B) is packed on the calling thread, so it costs one round on the pool, not two.
     */
    void multiply(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c, int bt, boolean parallel, BPacker packer) {
        int m = s.m(), n = s.n(), k = s.k();
        long offA = bt * s.strideA(), offB = bt * s.strideB(), offC = bt * s.strideC();
        int threads = pool.threads();
        int totalPanels = (n + NR - 1) / NR;
        if (parallel && m <= COLUMN_SPLIT_MAX_M && totalPanels / MIN_TASK_PANELS >= threads) {
            multiplyByColumns(s, a, b, c, offA, offB, offC, packer);
            return;
        }
        // Goto order: one k block of a column chunk of op(B) is packed at a time (at most
        // PACKED_B_BLOCK, 3/8 of L3, so it stays there while every row block multiplies it)
        // and each row block's A is packed once per chunk. Packing the whole k range of a chunk
        // first (up to 16 MiB) wrote it out to memory and read it back, and packed A once per chunk
        // of a few hundred columns: 13-18 ms of a 60-70 ms 256-row product.
        int blockPanels = (int) Math.max(1, PACKED_B_BLOCK / ((long) KC * NR));
        int chunks = (totalPanels + blockPanels - 1) / blockPanels, chunkPanels = (totalPanels + chunks - 1) / chunks;
        float[] packedB = workspaces.get().packB(chunkPanels * KC * NR);
        // Row blocks of at most MC rows, as many as a multiple of the threads so that none idles at
        // the end (a short op(A), such as the 128-row dW = Xᵀ·dY of a training step, is split in
        // rows rather than columns, so each A block is still packed once).
        int rows = MC;
        if (parallel) {
            int blocks = ((m + MC - 1) / MC + threads - 1) / threads * threads;
            rows = Math.max(MIN_TASK_ROWS, ((m + blocks - 1) / blocks + MR - 1) / MR * MR);
        }
        int rowBlocks = (m + rows - 1) / rows, mcTask = rows;
        for (int jc = 0; jc < n; jc += chunkPanels * NR) {
            int chunk = jc, nc = Math.min(chunkPanels * NR, n - jc);
            int panels = (nc + NR - 1) / NR;
            // Tasks are row blocks, split further by column groups only when there are too few row
            // blocks to keep every thread busy (each group packs its A block again).
            int groups = parallel ? Math.clamp((2L * threads + rowBlocks - 1) / rowBlocks, 1, panels) : 1;
            if (parallel && rowBlocks >= threads) groups = 1;
            int g0 = groups;
            for (int pc = 0; pc < k; pc += KC) {
                int kFrom = pc, kTo = Math.min(k, pc + KC), q = pc / KC;
                packB(s, b, offB, packer, chunk, nc, panels, kFrom, kTo, q, parallel && (long) (kTo - kFrom) * nc > SERIAL_PACK_MAX, packedB);
                run(parallel, rowBlocks * g0, t -> {
                    int ib = t / g0, g = t % g0;
                    computeBlock(s, a, c, offA, offC, packedB, q, chunk, nc, panels, ib * mcTask, Math.min(mcTask, m - ib * mcTask),
                            panels * g / g0, panels * (g + 1) / g0, kFrom, kTo);
                });
            }
        }
    }

    /**
     * Few rows, many columns (a projection of a few tokens): each task takes a range of panels and,
     * k block by k block, packs its own slice of B and multiplies all rows by it. Packing B first
     * on all threads and then multiplying waits for the slowest packer between the two, and packing
     * B is a large share of a product this short; here A, small, is packed once per task and k block
     * instead. Tasks are a multiple of the threads where the panels allow, so none idles at the end.
     */
    private void multiplyByColumns(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c, long offA, long offB, long offC,
                                   BPacker packer) {
        int m = s.m(), n = s.n(), k = s.k(), threads = pool.threads();
        int totalPanels = (n + NR - 1) / NR;
        int tasks = Math.min(2 * threads, totalPanels / MIN_TASK_PANELS) / threads * threads;
        run(true, tasks, t -> {
            int jpFrom = totalPanels * t / tasks, jpTo = totalPanels * (t + 1) / tasks, panels = jpTo - jpFrom;
            int jc = jpFrom * NR, nc = Math.min(n, jpTo * NR) - jc;
            Workspace w = workspaces.get();
            float[] packedB = w.packB(panels * KC * NR);
            for (int pc = 0; pc < k; pc += KC) {
                int kTo = Math.min(k, pc + KC), q = pc / KC;
                packer.pack(b, offB, s.ldb(), s.transB(), pc, kTo, jc, nc, 0, panels, panels, q, NR, KC, packedB, w.scratch(kTo - pc));
                computeBlock(s, a, c, offA, offC, packedB, q, jc, nc, panels, 0, m, 0, panels, pc, kTo);
            }
        });
    }

    /** Packs k steps [kFrom, kTo) (k block q) of the column chunk [jc, jc+nc) of op(B), on the pool when parallel. */
    private void packB(MatmulShape s, MemorySegment b, long offB, BPacker packer, int jc, int nc, int panels, int kFrom, int kTo, int q,
                       boolean parallel, float[] packedB) {
        int steps = kTo - kFrom;
        if (!parallel) {
            packer.pack(b, offB, s.ldb(), s.transB(), kFrom, kTo, jc, nc, 0, panels, panels, q, NR, KC, packedB, workspaces.get().scratch(steps));
        } else if (!s.transB()) {
            // by k steps: each task reads whole rows of the chunk (see GemmPacking.packB); measured
            // here, packing a 9216 x 2304 B took 10-11 ms so against 15-17 ms split by panels
            int passes = (steps + GemmPacking.ROWS_PER_PASS - 1) / GemmPacking.ROWS_PER_PASS, tasks = Math.min(passes, 4 * pool.threads());
            run(true, tasks, t -> packer.pack(b, offB, s.ldb(), false,
                    kFrom + Math.min(steps, passes * t / tasks * GemmPacking.ROWS_PER_PASS),
                    kFrom + Math.min(steps, passes * (t + 1) / tasks * GemmPacking.ROWS_PER_PASS),
                    jc, nc, 0, panels, panels, q, NR, KC, packedB, workspaces.get().scratch(0)));
        } else {
            int tasks = Math.min(panels, 4 * pool.threads());
            run(true, tasks, t -> packer.pack(b, offB, s.ldb(), true, kFrom, kTo, jc, nc,
                    panels * t / tasks, panels * (t + 1) / tasks, panels, q, NR, KC, packedB, workspaces.get().scratch(steps)));
        }
    }

    /** Packs panels of op(B) into the micro-kernel's layout; see {@link GemmPacking#packB}. */
    @FunctionalInterface
    interface BPacker {
        void pack(MemorySegment b, long offB, int ldb, boolean transB, int kFrom, int kTo, int jc, int nc,
                  int jpFrom, int jpTo, int panels, int qFrom, int nr, int kcBlock, float[] dst, float[] scratch);
    }

    private static final BPacker F32_B = GemmPacking::packB;

    /**
     * Rows [ic, ic+mc) of C against panels [jpFrom, jpTo) of the packed column chunk at jc, over
     * k steps [kFrom, kTo) (whole k blocks); packedB holds k blocks from qFrom on.
     */
    private void computeBlock(MatmulShape s, MemorySegment a, MemorySegment c, long offA, long offC, float[] packedB, int qFrom,
                              int jc, int nc, int panels, int ic, int mc, int jpFrom, int jpTo, int kFrom, int kTo) {
        Workspace w = workspaces.get();
        float[] packA = w.packA, tile = w.tile, scratch = w.scratch(GemmPacking.TRANSPOSE_STEPS * mc);
        int n = s.n();
        for (int pc = kFrom; pc < kTo; pc += KC) {
            int kc = Math.min(KC, kTo - pc), q = pc / KC - qFrom;
            GemmPacking.packA(a, offA, s.lda(), s.transA(), ic, mc, pc, kc, MR, KC, packA, scratch);
            boolean add = pc > 0 || s.accumulate();
            for (int jp = jpFrom; jp < jpTo; jp++) {
                int bAt = (q * panels + jp) * KC * NR;
                int cols = Math.min(NR, nc - jp * NR);
                for (int ir = 0; ir < mc; ir += MR) {
                    kernel(packA, ir * KC, packedB, bAt, kc, tile);
                    storeTile(tile, c, offC + (long) (ic + ir) * n + jc + jp * NR, n, Math.min(MR, mc - ir), cols, add);
                }
            }
        }
    }

    /**
     * tile = A panel (MR rows at a[ao + r·KC + p]) times B panel (kc rows of NR at b[bo + p·NR]).
     * Written out for 24 named accumulators so C2 keeps the whole tile in registers.
     */
    private static void kernel(float[] a, int ao, float[] b, int bo, int kc, float[] tile) {
        if (VectorWidth.SCALAR) {
            scalarKernel(a, ao, b, bo, kc, tile);
            return;
        }
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
                c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00,
                c71 = c00;
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR, ap = ao + p;
            FloatVector b0 = FloatVector.fromArray(F, b, bp);
            FloatVector b1 = FloatVector.fromArray(F, b, bp + LANES);
            FloatVector x;
            x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ap + KC]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ap + 2 * KC]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ap + 3 * KC]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ap + 4 * KC]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ap + 5 * KC]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, a[ap + 6 * KC]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, a[ap + 7 * KC]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        // Stored inline: passing vectors to a helper that C2 does not inline would box them all.
        c00.intoArray(tile, 0); c01.intoArray(tile, LANES);
        c10.intoArray(tile, NR); c11.intoArray(tile, NR + LANES);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + LANES);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + LANES);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + LANES);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + LANES);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + LANES);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + LANES);
    }

    /** The micro-kernel with plain loops: what -Dfusedit.vector.bits=scalar runs. */
    private static void scalarKernel(float[] a, int ao, float[] b, int bo, int kc, float[] tile) {
        java.util.Arrays.fill(tile, 0f);
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < MR; r++) {
                float x = a[ao + r * KC + p];
                for (int j = 0; j < NR; j++) tile[r * NR + j] += x * b[bo + p * NR + j];
            }
    }

    /** Writes (or adds) the valid rows x cols corner of a micro-tile into C at element offset at. */
    private static void storeTile(float[] tile, MemorySegment c, long at, int ldc, int rows, int cols, boolean add) {
        int vb = VectorWidth.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            long row = (at + (long) r * ldc) * Float.BYTES;
            int t = r * NR, j = 0;
            for (; j < vb; j += LANES) {
                FloatVector v = FloatVector.fromArray(F, tile, t + j);
                long o = row + (long) j * Float.BYTES;
                if (add) v = v.add(FloatVector.fromMemorySegment(F, c, o, ORDER));
                v.intoMemorySegment(c, o, ORDER);
            }
            for (; j < cols; j++) {
                long o = row + (long) j * Float.BYTES;
                c.set(FLOAT, o, add ? c.get(FLOAT, o) + tile[t + j] : tile[t + j]);
            }
        }
    }

    // ------------------------------------------------------------------ matrix-vector (m ≤ MATVEC_MAX_M)

    private void matvec(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c) {
        boolean parallel = pool.threads() > 1 && (long) s.k() * s.n() * s.batch() >= MATVEC_PARALLEL_MIN_B;
        forBatches(s, parallel, (bt, inner) -> matvecOne(s, a, b, c, bt, inner));
    }

    /** One product of the batch, columns of C split over tasks; B is read exactly once. */
    private void matvecOne(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c, int bt, boolean parallel) {
        int m = s.m(), n = s.n(), k = s.k();
        long offA = bt * s.strideA(), offB = bt * s.strideB(), offC = bt * s.strideC();
        // The few rows of op(A) go to the heap once, untransposed: every task reads them for every column.
        float[] rows = workspaces.get().rowsA(m * k);
        if (!s.transA()) {
            MemorySegment.copy(a, FLOAT, offA * Float.BYTES, rows, 0, m * k);
        } else {
            for (int p = 0; p < k; p++)
                for (int i = 0; i < m; i++) rows[i * k + p] = a.get(FLOAT, (offA + (long) p * m + i) * Float.BYTES);
        }
        int tasks = parallel ? Math.clamp(n / 64, 1, 4 * pool.threads()) : 1;
        run(parallel, tasks, t -> {
            int j0 = (int) ((long) n * t / tasks), j1 = (int) ((long) n * (t + 1) / tasks);
            if (s.transB()) dotColumns(s, rows, b, offB, c, offC, j0, j1);
            else axpyColumns(s, rows, b, offB, c, offC, j0, j1, workspaces.get().rowAcc);
        });
    }

    /**
     * B stored k×n: C[i, j0..j1) = Σ_p A[i,p]·B[p, j0..j1). Four rows of B at a time are streamed into
     * an L1-resident accumulator strip per row of A (so B is read from memory once for all rows).
     */
    private static void axpyColumns(MatmulShape s, float[] rows, MemorySegment b, long offB, MemorySegment c, long offC,
                                    int j0, int j1, float[] acc) {
        int m = s.m(), n = s.n(), k = s.k();
        long ldb = (long) n * Float.BYTES;
        for (int js = j0; js < j1; js += MATVEC_CHUNK) {
            int w = Math.min(MATVEC_CHUNK, j1 - js), vb = VectorWidth.loopBound(w);
            java.util.Arrays.fill(acc, 0, m * MATVEC_CHUNK, 0f);
            int p = 0;
            for (; p + 4 <= k; p += 4) {
                long r0 = (offB + (long) p * n + js) * Float.BYTES, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
                for (int i = 0; i < m; i++) {
                    int ar = i * k + p, at = i * MATVEC_CHUNK;
                    float x0 = rows[ar], x1 = rows[ar + 1], x2 = rows[ar + 2], x3 = rows[ar + 3];
                    FloatVector v0 = FloatVector.broadcast(F, x0), v1 = FloatVector.broadcast(F, x1),
                            v2 = FloatVector.broadcast(F, x2), v3 = FloatVector.broadcast(F, x3);
                    int j = 0;
                    for (; j < vb; j += LANES) {
                        long o = (long) j * Float.BYTES;
                        FloatVector sum = FloatVector.fromArray(F, acc, at + j);
                        sum = FloatVector.fromMemorySegment(F, b, r0 + o, ORDER).fma(v0, sum);
                        sum = FloatVector.fromMemorySegment(F, b, r1 + o, ORDER).fma(v1, sum);
                        sum = FloatVector.fromMemorySegment(F, b, r2 + o, ORDER).fma(v2, sum);
                        sum = FloatVector.fromMemorySegment(F, b, r3 + o, ORDER).fma(v3, sum);
                        sum.intoArray(acc, at + j);
                    }
                    for (; j < w; j++) {
                        long o = (long) j * Float.BYTES;
                        acc[at + j] += x0 * b.get(FLOAT, r0 + o) + x1 * b.get(FLOAT, r1 + o)
                                + x2 * b.get(FLOAT, r2 + o) + x3 * b.get(FLOAT, r3 + o);
                    }
                }
            }
            for (; p < k; p++) {
                long r0 = (offB + (long) p * n + js) * Float.BYTES;
                for (int i = 0; i < m; i++) {
                    int at = i * MATVEC_CHUNK;
                    float x0 = rows[i * k + p];
                    FloatVector v0 = FloatVector.broadcast(F, x0);
                    int j = 0;
                    for (; j < vb; j += LANES) {
                        FloatVector sum = FloatVector.fromArray(F, acc, at + j);
                        FloatVector.fromMemorySegment(F, b, r0 + (long) j * Float.BYTES, ORDER).fma(v0, sum).intoArray(acc, at + j);
                    }
                    for (; j < w; j++) acc[at + j] += x0 * b.get(FLOAT, r0 + (long) j * Float.BYTES);
                }
            }
            for (int i = 0; i < m; i++) storeStrip(acc, i * MATVEC_CHUNK, c, offC + (long) i * n + js, w, s.accumulate());
        }
    }

    /** Writes (or adds) count accumulated values into C at element offset at. */
    private static void storeStrip(float[] acc, int from, MemorySegment c, long at, int count, boolean add) {
        int j = 0;
        for (int vb = VectorWidth.loopBound(count); j < vb; j += LANES) {
            long o = (at + j) * Float.BYTES;
            FloatVector v = FloatVector.fromArray(F, acc, from + j);
            if (add) v = v.add(FloatVector.fromMemorySegment(F, c, o, ORDER));
            v.intoMemorySegment(c, o, ORDER);
        }
        for (; j < count; j++) {
            long o = (at + j) * Float.BYTES;
            c.set(FLOAT, o, add ? c.get(FLOAT, o) + acc[from + j] : acc[from + j]);
        }
    }

    /**
     * B stored n×k (a weight as nn.Linear keeps it): C[i,j] = dot(A[i,:], B[j,:]). Four rows of B
     * share each load of A; the rows of A re-read those four B rows from L1/L2, not memory.
     */
    private static void dotColumns(MatmulShape s, float[] rows, MemorySegment b, long offB, MemorySegment c, long offC,
                                   int j0, int j1) {
        int m = s.m(), n = s.n(), k = s.k(), kb = VectorWidth.loopBound(k);
        long ldb = (long) k * Float.BYTES;
        boolean add = s.accumulate();
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            long b0 = (offB + (long) j * k) * Float.BYTES, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            for (int i = 0; i < m; i++) {
                int ar = i * k;
                FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                int p = 0;
                for (; p < kb; p += LANES) {
                    long o = (long) p * Float.BYTES;
                    FloatVector x = FloatVector.fromArray(F, rows, ar + p);
                    s0 = x.fma(FloatVector.fromMemorySegment(F, b, b0 + o, ORDER), s0);
                    s1 = x.fma(FloatVector.fromMemorySegment(F, b, b1 + o, ORDER), s1);
                    s2 = x.fma(FloatVector.fromMemorySegment(F, b, b2 + o, ORDER), s2);
                    s3 = x.fma(FloatVector.fromMemorySegment(F, b, b3 + o, ORDER), s3);
                }
                float d0 = VectorMath.sum(s0), d1 = VectorMath.sum(s1),
                        d2 = VectorMath.sum(s2), d3 = VectorMath.sum(s3);
                for (; p < k; p++) {
                    long o = (long) p * Float.BYTES;
                    float x = rows[ar + p];
                    d0 += x * b.get(FLOAT, b0 + o);
                    d1 += x * b.get(FLOAT, b1 + o);
                    d2 += x * b.get(FLOAT, b2 + o);
                    d3 += x * b.get(FLOAT, b3 + o);
                }
                long at = (offC + (long) i * n + j) * Float.BYTES;
                putC(c, at, d0, add);
                putC(c, at + Float.BYTES, d1, add);
                putC(c, at + 2 * Float.BYTES, d2, add);
                putC(c, at + 3 * Float.BYTES, d3, add);
            }
        }
        for (; j < j1; j++) {
            long b0 = (offB + (long) j * k) * Float.BYTES;
            for (int i = 0; i < m; i++) {
                int ar = i * k;
                FloatVector s0 = FloatVector.zero(F);
                int p = 0;
                for (; p < kb; p += LANES)
                    s0 = FloatVector.fromArray(F, rows, ar + p).fma(FloatVector.fromMemorySegment(F, b, b0 + (long) p * Float.BYTES, ORDER), s0);
                float d0 = VectorMath.sum(s0);
                for (; p < k; p++) d0 += rows[ar + p] * b.get(FLOAT, b0 + (long) p * Float.BYTES);
                putC(c, (offC + (long) i * n + j) * Float.BYTES, d0, add);
            }
        }
    }

    /** One product of the batch with B bfloat16 stored n×k; columns of C split over tasks. */
    private void matvecBf16(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c, int bt, boolean parallel) {
        int m = s.m(), n = s.n(), k = s.k();
        long offA = bt * s.strideA(), offB = bt * s.strideB(), offC = bt * s.strideC();
        // rows[0, m·k): op(A) untransposed; rows[m·k, 2·m·k): the same rows reordered by splitPairs for dotColumnsBf16
        float[] rows = workspaces.get().rowsA(2 * m * k);
        if (!s.transA()) {
            MemorySegment.copy(a, FLOAT, offA * Float.BYTES, rows, 0, m * k);
        } else {
            for (int p = 0; p < k; p++)
                for (int i = 0; i < m; i++) rows[i * k + p] = a.get(FLOAT, (offA + (long) p * m + i) * Float.BYTES);
        }
        for (int i = 0; i < m; i++) splitPairs(rows, i * k, rows, m * k + i * k, k);
        int tasks = parallel ? Math.clamp(n / 64, 1, 4 * pool.threads()) : 1;
        run(parallel, tasks, t -> dotColumnsBf16(s, rows, b, offB, c, offC,
                (int) ((long) n * t / tasks), (int) ((long) n * (t + 1) / tasks), workspaces.get().lanes));
    }

    /** Columns of A per step of the paired loop: one int vector of B holds 2·LANES bfloat16 values. */
    private static final int PAIR_STEP = 2 * LANES;
    /** Whether the first bfloat16 of a pair sits in an int's low half (little-endian memory). */
    private static final boolean FIRST_IN_LOW_HALF = ORDER == java.nio.ByteOrder.LITTLE_ENDIAN;

    /** The paired loop's bound over k columns: whole steps of PAIR_STEP, none in scalar mode. */
    private static int pairedBound(int k) {
        return VectorWidth.SCALAR ? 0 : k / PAIR_STEP * PAIR_STEP;
    }

    /**
     * Reorders a row of A for the paired loop of {@link #dotColumnsBf16}: within each step of
     * PAIR_STEP columns, first the columns whose bfloat16 of B lands in an int lane's low half,
     * then those in its high half.
     */
    private static void splitPairs(float[] src, int from, float[] dst, int to, int k) {
        int low = FIRST_IN_LOW_HALF ? 0 : 1;
        for (int p = 0, end = pairedBound(k); p < end; p += PAIR_STEP)
            for (int j = 0; j < LANES; j++) {
                dst[to + p + j] = src[from + p + 2 * j + low];
                dst[to + p + LANES + j] = src[from + p + 2 * j + 1 - low];
            }
    }

    /** Keeps an int lane's high half: the bfloat16 there, widened in place. */
    private static final int HIGH_HALF = 0xFFFF0000;

    /**
     * {@link #dotColumns} with B in bfloat16: C[i,j] = dot(A[i,:], widen(B[j,:])), eight rows of B at
     * a time, one from each eighth of [j0, j1). One core's read bandwidth is bounded by its
     * outstanding misses, and more independent streams keep more in flight: eight rows rather than
     * four were about 1.5x faster, and eight rows an eighth of the range apart rather than eight
     * adjacent ones (whose streams the prefetcher starts anew every 8 rows) another 1.3x
     * (measured 22 against 17 GB/s on 2 threads here, plain reading 20-24).
     *
     * <p>B is read as ints, each two bfloat16 values, widened in place: the low one by a left
     * shift of 16, the high one by clearing the low half, one integer operation per float vector
     * where loading shorts and sign-extending them takes a cross-lane conversion as well; the
     * rows of A were split to match (splitPairs). Columns past the last whole step are widened
     * from shorts. Everything is written out inline: a helper returning a vector would box it
     * unless C2 inlines it, and after this loop it no longer inlines ordinary calls.
     */
    private static void dotColumnsBf16(MatmulShape s, float[] rows, MemorySegment b, long offB, MemorySegment c, long offC,
                                       int j0, int j1, float[] lanes) {
        int m = s.m(), n = s.n(), k = s.k(), kb = VectorWidth.loopBound(k), kp = pairedBound(k), split = m * k;
        long ldb = (long) k * Short.BYTES;
        boolean add = s.accumulate();
        // eight strips of q columns; step g takes column g of each (rows of B a strip apart)
        int q = (j1 - j0) / 8;
        long strip = q * ldb;
        for (int g = 0; g < q; g++) {
            int j = j0 + g;
            long b0 = (offB + (long) j * k) * Short.BYTES;
            for (int i = 0; i < m; i++) {
                int ar = i * k, as = split + ar;
                FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
                int p = 0;
                for (; p < kp; p += PAIR_STEP) {
                    long o = (long) p * Short.BYTES;
                    FloatVector xl = FloatVector.fromArray(F, rows, as + p), xh = FloatVector.fromArray(F, rows, as + p + LANES);
                    IntVector w0 = IntVector.fromMemorySegment(Bf16Widening.I, b, b0 + o, ORDER);
                    IntVector w1 = IntVector.fromMemorySegment(Bf16Widening.I, b, b0 + strip + o, ORDER);
                    IntVector w2 = IntVector.fromMemorySegment(Bf16Widening.I, b, b0 + 2 * strip + o, ORDER);
                    IntVector w3 = IntVector.fromMemorySegment(Bf16Widening.I, b, b0 + 3 * strip + o, ORDER);
                    IntVector w4 = IntVector.fromMemorySegment(Bf16Widening.I, b, b0 + 4 * strip + o, ORDER);
                    IntVector w5 = IntVector.fromMemorySegment(Bf16Widening.I, b, b0 + 5 * strip + o, ORDER);
                    IntVector w6 = IntVector.fromMemorySegment(Bf16Widening.I, b, b0 + 6 * strip + o, ORDER);
                    IntVector w7 = IntVector.fromMemorySegment(Bf16Widening.I, b, b0 + 7 * strip + o, ORDER);
                    s0 = xh.fma(w0.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats(), xl.fma(w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s0));
                    s1 = xh.fma(w1.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats(), xl.fma(w1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s1));
                    s2 = xh.fma(w2.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats(), xl.fma(w2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s2));
                    s3 = xh.fma(w3.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats(), xl.fma(w3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s3));
                    s4 = xh.fma(w4.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats(), xl.fma(w4.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s4));
                    s5 = xh.fma(w5.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats(), xl.fma(w5.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s5));
                    s6 = xh.fma(w6.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats(), xl.fma(w6.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s6));
                    s7 = xh.fma(w7.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats(), xl.fma(w7.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s7));
                }
                for (; p < kb; p += LANES) {
                    long o = (long) p * Short.BYTES;
                    FloatVector x = FloatVector.fromArray(F, rows, ar + p);
                    FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(Bf16Widening.S, b, b0 + o, ORDER)
                            .convertShape(VectorOperators.S2I, Bf16Widening.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(Bf16Widening.S, b, b0 + 1 * strip + o, ORDER)
                            .convertShape(VectorOperators.S2I, Bf16Widening.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(Bf16Widening.S, b, b0 + 2 * strip + o, ORDER)
                            .convertShape(VectorOperators.S2I, Bf16Widening.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(Bf16Widening.S, b, b0 + 3 * strip + o, ORDER)
                            .convertShape(VectorOperators.S2I, Bf16Widening.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    FloatVector w4 = ((IntVector) ShortVector.fromMemorySegment(Bf16Widening.S, b, b0 + 4 * strip + o, ORDER)
                            .convertShape(VectorOperators.S2I, Bf16Widening.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    FloatVector w5 = ((IntVector) ShortVector.fromMemorySegment(Bf16Widening.S, b, b0 + 5 * strip + o, ORDER)
                            .convertShape(VectorOperators.S2I, Bf16Widening.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    FloatVector w6 = ((IntVector) ShortVector.fromMemorySegment(Bf16Widening.S, b, b0 + 6 * strip + o, ORDER)
                            .convertShape(VectorOperators.S2I, Bf16Widening.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    FloatVector w7 = ((IntVector) ShortVector.fromMemorySegment(Bf16Widening.S, b, b0 + 7 * strip + o, ORDER)
                            .convertShape(VectorOperators.S2I, Bf16Widening.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    s0 = x.fma(w0, s0);
                    s1 = x.fma(w1, s1);
                    s2 = x.fma(w2, s2);
                    s3 = x.fma(w3, s3);
                    s4 = x.fma(w4, s4);
                    s5 = x.fma(w5, s5);
                    s6 = x.fma(w6, s6);
                    s7 = x.fma(w7, s7);
                }
                // the sums go through an array: a vector passed to VectorMath.sum(FloatVector) here was boxed
                s0.intoArray(lanes, 0);
                s1.intoArray(lanes, LANES);
                s2.intoArray(lanes, 2 * LANES);
                s3.intoArray(lanes, 3 * LANES);
                s4.intoArray(lanes, 4 * LANES);
                s5.intoArray(lanes, 5 * LANES);
                s6.intoArray(lanes, 6 * LANES);
                s7.intoArray(lanes, 7 * LANES);
                long at = (offC + (long) i * n + j) * Float.BYTES;
                for (int t = 0; t < 8; t++)
                    putC(c, at + (long) t * q * Float.BYTES, VectorMath.sum(lanes, t * LANES) + tailDot(rows, ar, p, k, b, b0 + t * strip), add);
            }
        }
        for (int j = j0 + 8 * q; j < j1; j++) {
            long b0 = (offB + (long) j * k) * Short.BYTES;
            for (int i = 0; i < m; i++) {
                int ar = i * k;
                FloatVector s0 = FloatVector.zero(F);
                int p = 0;
                for (; p < kb; p += LANES) {
                    FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(Bf16Widening.S, b, b0 + (long) p * Short.BYTES, ORDER)
                            .convertShape(VectorOperators.S2I, Bf16Widening.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    s0 = FloatVector.fromArray(F, rows, ar + p).fma(w0, s0);
                }
                s0.intoArray(lanes, 0);
                putC(c, (offC + (long) i * n + j) * Float.BYTES, VectorMath.sum(lanes, 0) + tailDot(rows, ar, p, k, b, b0), add);
            }
        }
    }

    /** Σ rows[ar + q]·widen(B[q]) for q in [from, k), B's row starting at rowByte: the tail past the vector loop. */
    private static float tailDot(float[] rows, int ar, int from, int k, MemorySegment b, long rowByte) {
        float d = 0;
        for (int q = from; q < k; q++) d += rows[ar + q] * Bf16Widening.toFloat(b.get(Bf16Widening.BF16, rowByte + (long) q * Short.BYTES));
        return d;
    }

    private static void putC(MemorySegment c, long byteOffset, float value, boolean add) {
        c.set(FLOAT, byteOffset, add ? c.get(FLOAT, byteOffset) + value : value);
    }
}
