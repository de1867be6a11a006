package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Flash attention on the Vector API. The forward pass walks tiles of {@link #Q_TILE} queries
 * against tiles of {@link #K_TILE} keys with an online softmax (running row max and sum), so
 * only one tile of scores ever exists; tasks are (batch, head, query tile). The backward pass is
 * FlashAttention-2's: P is recomputed from q, k and the saved lse, and two passes split the
 * writes so no two tasks ever touch the same output element: (batch, kv head, key tile) tasks
 * own dK and dV (summing over every query head of the group), (batch, head, query tile) tasks
 * own dQ. Every output element is computed by one task in one fixed order, so the thread count
 * does not change the arithmetic.
 *
 * The key pass keeps its dS tiles (within {@link #SAVED_SCORE_GRADIENT_FLOATS}) so the query pass
 * only multiplies dS·K: five tile products per tile pair, as many as the gradients need.
 *
 * <p>K and V are staged once per call into float arrays laid out for the tile multiplies
 * ({@link Staged}): transposed key tiles, so score rows are vectorized along keys, and
 * head-major rows. Transposing per tile instead would cost as much as the score multiply
 * itself. Query heads of a group read their kv head's staged copy: K and V are never expanded
 * per query head. The staged layouts, the backward's row deltas and its saved dS tiles (padded
 * to whole Q_TILE x K_TILE tiles, at most 64 MiB) live in arrays of the calling thread that its
 * next call reuses. Query-side
 * tiles are copied into per-thread scratch by the task that owns them.
 */
final class VectorAttention {
    /**
     * Queries per tile, and keys per tile. Each tile product accumulates into an output tile
     * (the forward's P·V into queries x head_dim, the backward's Pᵀ·dO and dSᵀ·Q into keys x
     * head_dim) that lives in L2, and loading, adding and storing it after every product took a
     * quarter of the time at 64 x 64; at 128 x 128 each product runs twice as deep per pass over
     * it (measurements in tensor/README.md). A tile's scratch is then under 1 MiB per thread at
     * head_dim 256.
     */
    static final int Q_TILE = 128;
    static final int K_TILE = 128;

    private static final VectorSpecies<Float> F = VectorWidth.F;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final KernelPool pool;
    /** Scratch tiles of the thread running a task, grown to the largest head_dim seen. */
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(() -> new Scratch(0));

    /**
     * The arrays a call stages and keeps (K and V in their layouts, the row deltas, the saved dS
     * tiles), per calling thread and reused by its next call: a training step makes dozens of
     * attention calls, and fresh arrays each time cost their zeroing and the collector's time (a
     * shapes-tiny training step allocated about 280 MB). A call writes every element it reads.
     */
    private final ThreadLocal<float[][]> callArrays = ThreadLocal.withInitial(() -> new float[SLOTS][0]);
    private static final int KEY_TILES = 0, KEY_ROWS = 1, VALUE_TILES = 2, VALUE_ROWS = 3, DELTAS = 4, SAVED_DS = 5, SLOTS = 6;

    /** The calling thread's array of a slot, at least {@code floats} long. */
    private float[] callArray(int slot, long floats) {
        float[][] arrays = callArrays.get();
        if (arrays[slot].length < floats) arrays[slot] = new float[Math.toIntExact(floats)];
        return arrays[slot];
    }

    /** Floats of dS tiles a backward call may keep, see {@link #SAVED_SCORE_GRADIENT_FLOATS}. */
    private final long savedScoreGradientFloats;

    VectorAttention(KernelPool pool) {
        this(pool, SAVED_SCORE_GRADIENT_FLOATS);
    }

    /** With another budget for saved dS tiles (tests run the rounds and the recomputing fallback with small ones). */
    VectorAttention(KernelPool pool, long savedScoreGradientFloats) {
        if (savedScoreGradientFloats < 0 || savedScoreGradientFloats > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("saved dS budget must be in [0, 2^31 - 9] floats, got " + savedScoreGradientFloats);
        this.pool = pool;
        this.savedScoreGradientFloats = savedScoreGradientFloats;
    }

    /** One thread's tiles: row-major [tile rows][headDim] copies and accumulators, score tiles. */
    private static final class Scratch {
        final int headDim;
        final float[] qRows, doRows, rowAcc;      // [Q_TILE][D]
        final float[] kAcc, vAcc;                  // [K_TILE][D]
        final float[] scores, dScores, tanh;       // [Q_TILE][K_TILE]
        final float[] rowMax, rowSum, rowLse, rowDelta, line;

        Scratch(int headDim) {
            this.headDim = headDim;
            qRows = new float[Q_TILE * headDim];
            doRows = new float[Q_TILE * headDim];
            rowAcc = new float[Q_TILE * headDim];
            kAcc = new float[K_TILE * headDim];
            vAcc = new float[K_TILE * headDim];
            scores = new float[Q_TILE * K_TILE];
            dScores = new float[Q_TILE * K_TILE];
            tanh = new float[Q_TILE * K_TILE];
            rowMax = new float[Q_TILE];
            rowSum = new float[Q_TILE];
            rowLse = new float[Q_TILE];
            rowDelta = new float[Q_TILE];
            line = new float[headDim];
        }
    }

    private Scratch scratchFor(int headDim) {
        Scratch s = scratch.get();
        if (s.headDim < headDim) scratch.set(s = new Scratch(headDim));
        return s;
    }

    // ------------------------------------------------------------------ staging

    /**
     * K or V of one call in the layouts the multiplies read. Tiles: for each (batch, kv head, key
     * tile) a [headDim][K_TILE] block, the tile transposed (columns past kvLen unused). Rows: for
     * each (batch, kv head) its [kvLen][headDim] rows, contiguous.
     */
    private record Staged(float[] tiles, float[] rows) {}

    private static int keyTiles(AttentionShape s) {
        return ceilDiv(s.kvLen(), K_TILE);
    }

    /** Offset of (b, kvh, key tile kt)'s block in a staged tiles array. */
    private static int tileOffset(AttentionShape s, int b, int kvh, int kt) {
        return (int) ((((long) b * s.kvHeads() + kvh) * keyTiles(s) + kt) * s.headDim() * K_TILE);
    }

    /** Offset of row (b, kvh, j) in a staged rows array. */
    private static int rowOffset(AttentionShape s, int b, int kvh, int j) {
        return (int) ((((long) b * s.kvHeads() + kvh) * s.kvLen() + j) * s.headDim());
    }

    /**
     * Stages src (k or v) as transposed tiles, as rows, or both (into the calling thread's arrays of
     * those slots; -1: not wanted), in parallel over (batch, kv head, key tile).
     */
    private Staged stage(AttentionShape s, MemorySegment src, int tilesSlot, int rowsSlot) {
        boolean tiles = tilesSlot >= 0, rows = rowsSlot >= 0;
        int D = s.headDim(), kTiles = keyTiles(s);
        long tileFloats = (long) s.batch() * s.kvHeads() * kTiles * D * K_TILE;
        if (tileFloats > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("attention: K/V of " + s + " too large to stage in one float array");
        float[] tileArray = tiles ? callArray(tilesSlot, tileFloats) : null;
        float[] rowArray = rows ? callArray(rowsSlot, (long) s.batch() * s.kvHeads() * s.kvLen() * D) : null;
        long stride = (long) s.kvHeads() * D;
        pool.forEach(s.batch() * s.kvHeads() * kTiles, task -> {
            int kt = task % kTiles, bkv = task / kTiles, b = bkv / s.kvHeads(), kvh = bkv % s.kvHeads(), j0 = kt * K_TILE;
            int cols = Math.min(K_TILE, s.kvLen() - j0);
            long first = kvRow(s, b, j0, kvh);
            if (tiles) loadColumns(src, first, stride, cols, D, tileArray, tileOffset(s, b, kvh, kt), scratchFor(D).line);
            if (rows) loadRows(src, first, stride, cols, D, rowArray, rowOffset(s, b, kvh, j0));
        });
        return new Staged(tileArray, rowArray);
    }

    // ------------------------------------------------------------------ forward

    void forward(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                 MemorySegment out, MemorySegment lse) {
        requireSizes(s, q, k, v, mask, out, lse);
        float[] keyTiles = stage(s, k, KEY_TILES, -1).tiles();
        float[] valueRows = stage(s, v, -1, VALUE_ROWS).rows();
        int qTiles = ceilDiv(s.qLen(), Q_TILE);
        pool.forEach(s.batch() * s.heads() * qTiles, task -> {
            int qt = task % qTiles, bh = task / qTiles;
            forwardTile(s, q, keyTiles, valueRows, mask, out, lse, bh / s.heads(), bh % s.heads(), qt * Q_TILE);
        });
    }

    private void forwardTile(AttentionShape s, MemorySegment q, float[] keyTiles, float[] valueRows, MemorySegment mask,
                             MemorySegment out, MemorySegment lse, int b, int h, int i0) {
        int D = s.headDim(), rows = Math.min(Q_TILE, s.qLen() - i0), kvh = h / s.group();
        Scratch t = scratchFor(D);
        long qRow0 = qRow(s, b, i0, h), qStride = (long) s.heads() * D;
        loadRows(q, qRow0, qStride, rows, D, t.qRows, 0);
        Arrays.fill(t.rowAcc, 0, rows * D, 0f);
        Arrays.fill(t.rowMax, 0, rows, Float.NEGATIVE_INFINITY);
        Arrays.fill(t.rowSum, 0, rows, 0f);
        for (int kt = 0, j0 = 0; j0 < s.kvLen(); kt++, j0 += K_TILE) {
            int cols = Math.min(K_TILE, s.kvLen() - j0);
            TileMultiply.multiply(rows, cols, D, t.qRows, 0, D, 1, keyTiles, tileOffset(s, b, kvh, kt), K_TILE, t.scores, 0, K_TILE, false);
            finishLogits(s, t.scores, null, rows, cols, mask, b, i0, j0);
            for (int r = 0; r < rows; r++) {
                int at = r * K_TILE;
                float oldMax = t.rowMax[r], newMax = Math.max(oldMax, rowMax(t.scores, at, cols));
                // The running max starts at -inf: the first tile rescales nothing. Masked logits are
                // -3.4e38, finite, so a fully masked tile still gives a finite max and exp(0) terms
                // that the next real tile's correction factor exp(-3.4e38 - max) = 0 wipes out.
                float correction = oldMax == Float.NEGATIVE_INFINITY ? 0f : (float) StrictMath.exp(oldMax - newMax);
                float shift = newMax == Float.NEGATIVE_INFINITY ? 0f : newMax;
                float tileSum = expShifted(t.scores, at, cols, shift);
                t.rowSum[r] = t.rowSum[r] * correction + tileSum;
                t.rowMax[r] = newMax;
                if (correction != 1f) scale(t.rowAcc, r * D, D, correction);
            }
            TileMultiply.multiply(rows, D, cols, t.scores, 0, K_TILE, 1, valueRows, rowOffset(s, b, kvh, j0), D, t.rowAcc, 0, D, true);
        }
        long lseRow0 = lseIndex(s, b, h, i0);
        for (int r = 0; r < rows; r++) {
            scale(t.rowAcc, r * D, D, 1f / t.rowSum[r]);
            lse.setAtIndex(FLOAT, lseRow0 + r, t.rowMax[r] + (float) Math.log(t.rowSum[r]));
        }
        storeRows(t.rowAcc, out, qRow0, qStride, rows, D);
    }

    // ------------------------------------------------------------------ backward

    void backward(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask, MemorySegment out,
                  MemorySegment lse, MemorySegment dOut, MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        requireSizes(s, q, k, v, mask, out, lse);
        long qElems = (long) s.batch() * s.qLen() * s.heads() * s.headDim();
        long kvElems = (long) s.batch() * s.kvLen() * s.kvHeads() * s.headDim();
        requireFloats(dOut, qElems, "dOut");
        requireFloats(dq, qElems, "dq");
        requireFloats(dk, kvElems, "dk");
        requireFloats(dv, kvElems, "dv");
        Staged keys = stage(s, k, KEY_TILES, KEY_ROWS);
        float[] valueTiles = stage(s, v, VALUE_TILES, -1).tiles();
        float[] delta = rowDeltas(s, out, dOut);
        int kTiles = keyTiles(s), qTiles = ceilDiv(s.qLen(), Q_TILE), group = s.group(), groups = s.batch() * s.kvHeads();
        long groupFloats = (long) group * qTiles * kTiles * Q_TILE * K_TILE;
        int perRound = (int) Math.min(groups, savedScoreGradientFloats / groupFloats);
        if (perRound == 0) {
            // one kv head's dS does not fit the budget: the query pass recomputes dS
            pool.forEach(groups * kTiles, task -> {
                int kt = task % kTiles, bkv = task / kTiles;
                keyValueGradTile(s, q, keys.tiles(), valueTiles, mask, lse, delta, dOut, dk, dv, bkv / s.kvHeads(), bkv % s.kvHeads(), kt,
                        null, 0);
            });
            pool.forEach(s.batch() * s.heads() * qTiles, task -> {
                int qt = task % qTiles, bh = task / qTiles;
                queryGradTile(s, q, keys, valueTiles, mask, lse, delta, dOut, dq, bh / s.heads(), bh % s.heads(), qt * Q_TILE);
            });
            return;
        }
        float[] saved = callArray(SAVED_DS, perRound * groupFloats);
        for (int g0 = 0; g0 < groups; g0 += perRound) {
            int first = g0, count = Math.min(perRound, groups - g0);
            pool.forEach(count * kTiles, task -> {
                int kt = task % kTiles, g = first + task / kTiles;
                keyValueGradTile(s, q, keys.tiles(), valueTiles, mask, lse, delta, dOut, dk, dv, g / s.kvHeads(), g % s.kvHeads(), kt,
                        saved, (g - first) * groupFloats);
            });
            pool.forEach(count * group * qTiles, task -> {
                int qt = task % qTiles, gh = task / qTiles, g = first + gh / group;
                int b = g / s.kvHeads(), h = g % s.kvHeads() * group + gh % group;
                queryGradFromSaved(s, keys.rows(), saved, (g - first) * groupFloats, dq, b, h, qt);
            });
        }
    }

    /**
     * Floats of dS tiles one backward call keeps by default (64 MiB): the key pass saves them for the
     * query pass, which then multiplies dS·K without recomputing S = Q·Kᵀ, P and dP = dO·Vᵀ:
     * five tile products per (query tile, key tile) instead of seven. Kv heads are processed in
     * rounds that fit; a kv head whose dS alone does not fit falls back to recomputing.
     */
    static final long SAVED_SCORE_GRADIENT_FLOATS = 16L << 20;

    /** Offset in a round's saved dS of tile (query head hg of its group, query tile qt, key tile kt). */
    private static long savedTile(AttentionShape s, long groupOffset, int hg, int qt, int kt) {
        return groupOffset + (((long) hg * ceilDiv(s.qLen(), Q_TILE) + qt) * keyTiles(s) + kt) * Q_TILE * K_TILE;
    }

    /** delta = Σ_d dO·O for every query row, [batch, heads, qLen] like lse: the softmax backward's row term. */
    private float[] rowDeltas(AttentionShape s, MemorySegment out, MemorySegment dOut) {
        int D = s.headDim(), qTiles = ceilDiv(s.qLen(), Q_TILE);
        float[] delta = callArray(DELTAS, (long) s.batch() * s.heads() * s.qLen());
        long qStride = (long) s.heads() * D;
        pool.forEach(s.batch() * s.heads() * qTiles, task -> {
            int qt = task % qTiles, bh = task / qTiles, b = bh / s.heads(), h = bh % s.heads(), i0 = qt * Q_TILE;
            int rows = Math.min(Q_TILE, s.qLen() - i0);
            Scratch t = scratchFor(D);
            long qRow0 = qRow(s, b, i0, h);
            loadRows(out, qRow0, qStride, rows, D, t.rowAcc, 0);
            loadRows(dOut, qRow0, qStride, rows, D, t.doRows, 0);
            int at = (int) lseIndex(s, b, h, i0);
            for (int r = 0; r < rows; r++) delta[at + r] = dot(t.rowAcc, r * D, t.doRows, r * D, D);
        });
        return delta;
    }

    /**
     * dK and dV of key tile kt of kv head kvh: sums over every query tile of every query head in the
     * group. With saved non-null each dS tile is also kept there (group at savedGroup) for the query pass.
     */
    private void keyValueGradTile(AttentionShape s, MemorySegment q, float[] keyTiles, float[] valueTiles, MemorySegment mask,
                                  MemorySegment lse, float[] delta, MemorySegment dOut,
                                  MemorySegment dk, MemorySegment dv, int b, int kvh, int kt, float[] saved, long savedGroup) {
        int D = s.headDim(), j0 = kt * K_TILE, cols = Math.min(K_TILE, s.kvLen() - j0), tile = tileOffset(s, b, kvh, kt);
        Scratch t = scratchFor(D);
        long kRow0 = kvRow(s, b, j0, kvh), kStride = (long) s.kvHeads() * D, qStride = (long) s.heads() * D;
        Arrays.fill(t.kAcc, 0, cols * D, 0f);
        Arrays.fill(t.vAcc, 0, cols * D, 0f);
        for (int h = kvh * s.group(); h < (kvh + 1) * s.group(); h++)
            for (int i0 = 0; i0 < s.qLen(); i0 += Q_TILE) {
                int rows = Math.min(Q_TILE, s.qLen() - i0);
                long qRow0 = qRow(s, b, i0, h);
                loadRows(q, qRow0, qStride, rows, D, t.qRows, 0);
                loadRows(dOut, qRow0, qStride, rows, D, t.doRows, 0);
                loadRowStats(s, lse, delta, t, b, h, i0, rows);
                scoreGradients(s, t, keyTiles, valueTiles, tile, mask, b, i0, j0, rows, cols);
                if (saved != null)
                    System.arraycopy(t.dScores, 0, saved, (int) savedTile(s, savedGroup, h - kvh * s.group(), i0 / Q_TILE, kt), rows * K_TILE);
                // dV += Pᵀ·dO and dK += dSᵀ·Q: the score tiles read transposed (row stride 1).
                TileMultiply.multiply(cols, D, rows, t.scores, 0, 1, K_TILE, t.doRows, 0, D, t.vAcc, 0, D, true);
                TileMultiply.multiply(cols, D, rows, t.dScores, 0, 1, K_TILE, t.qRows, 0, D, t.kAcc, 0, D, true);
            }
        storeRows(t.kAcc, dk, kRow0, kStride, cols, D);
        storeRows(t.vAcc, dv, kRow0, kStride, cols, D);
    }

    /** dQ of query tile qt of head h: dS·K summed over every key tile, dS from the key pass's saved tiles. */
    private void queryGradFromSaved(AttentionShape s, float[] keyRows, float[] saved, long savedGroup, MemorySegment dq, int b, int h, int qt) {
        int D = s.headDim(), i0 = qt * Q_TILE, rows = Math.min(Q_TILE, s.qLen() - i0), kvh = h / s.group();
        Scratch t = scratchFor(D);
        Arrays.fill(t.rowAcc, 0, rows * D, 0f);
        for (int kt = 0, j0 = 0; j0 < s.kvLen(); kt++, j0 += K_TILE) {
            int cols = Math.min(K_TILE, s.kvLen() - j0), at = (int) savedTile(s, savedGroup, h - kvh * s.group(), qt, kt);
            TileMultiply.multiply(rows, D, cols, saved, at, K_TILE, 1, keyRows, rowOffset(s, b, kvh, j0), D, t.rowAcc, 0, D, true);
        }
        storeRows(t.rowAcc, dq, qRow(s, b, i0, h), (long) s.heads() * D, rows, D);
    }

    /** dQ of queries i0.. of head h: dS·K summed over every key tile, dS recomputed. */
    private void queryGradTile(AttentionShape s, MemorySegment q, Staged keys, float[] valueTiles, MemorySegment mask,
                               MemorySegment lse, float[] delta, MemorySegment dOut, MemorySegment dq,
                               int b, int h, int i0) {
        int D = s.headDim(), rows = Math.min(Q_TILE, s.qLen() - i0), kvh = h / s.group();
        Scratch t = scratchFor(D);
        long qRow0 = qRow(s, b, i0, h), qStride = (long) s.heads() * D;
        loadRows(q, qRow0, qStride, rows, D, t.qRows, 0);
        loadRows(dOut, qRow0, qStride, rows, D, t.doRows, 0);
        loadRowStats(s, lse, delta, t, b, h, i0, rows);
        Arrays.fill(t.rowAcc, 0, rows * D, 0f);
        for (int kt = 0, j0 = 0; j0 < s.kvLen(); kt++, j0 += K_TILE) {
            int cols = Math.min(K_TILE, s.kvLen() - j0);
            scoreGradients(s, t, keys.tiles(), valueTiles, tileOffset(s, b, kvh, kt), mask, b, i0, j0, rows, cols);
            TileMultiply.multiply(rows, D, cols, t.dScores, 0, K_TILE, 1, keys.rows(), rowOffset(s, b, kvh, j0), D, t.rowAcc, 0, D, true);
        }
        storeRows(t.rowAcc, dq, qRow0, qStride, rows, D);
    }

    /** The rows' saved lse and precomputed delta into scratch. */
    private static void loadRowStats(AttentionShape s, MemorySegment lse, float[] delta, Scratch t, int b, int h, int i0, int rows) {
        long lseRow0 = lseIndex(s, b, h, i0);
        for (int r = 0; r < rows; r++) {
            t.rowLse[r] = lse.getAtIndex(FLOAT, lseRow0 + r);
            t.rowDelta[r] = delta[(int) lseRow0 + r];
        }
    }

    /**
     * From the loaded q and dO rows and the staged K and V tiles at tile: scores ← P = exp(logit − lse)
     * and dScores ← dS = P∘(dO·Vᵀ − delta) (∘ the soft-cap's 1 − tanh²) · scale, the gradient of the raw q·k.
     */
    private static void scoreGradients(AttentionShape s, Scratch t, float[] keyTiles, float[] valueTiles, int tile,
                                       MemorySegment mask, int b, int i0, int j0, int rows, int cols) {
        int D = s.headDim();
        boolean capped = s.softCap() > 0;
        TileMultiply.multiply(rows, cols, D, t.qRows, 0, D, 1, keyTiles, tile, K_TILE, t.scores, 0, K_TILE, false);
        finishLogits(s, t.scores, capped ? t.tanh : null, rows, cols, mask, b, i0, j0);
        TileMultiply.multiply(rows, cols, D, t.doRows, 0, D, 1, valueTiles, tile, K_TILE, t.dScores, 0, K_TILE, false);
        int vectorEnd = VectorWidth.loopBound(cols);
        float scale = s.scale();
        for (int r = 0; r < rows; r++) {
            int at = r * K_TILE;
            float rowLse = t.rowLse[r], delta = t.rowDelta[r];
            int c = 0;
            for (; c < vectorEnd; c += F.length()) {
                FloatVector p = VectorMath.exp(FloatVector.fromArray(F, t.scores, at + c).sub(rowLse));
                p.intoArray(t.scores, at + c);
                FloatVector ds = p.mul(FloatVector.fromArray(F, t.dScores, at + c).sub(delta));
                if (capped) {
                    FloatVector th = FloatVector.fromArray(F, t.tanh, at + c);
                    ds = ds.mul(th.mul(th).neg().add(1f));
                }
                ds.mul(scale).intoArray(t.dScores, at + c);
            }
            for (; c < cols; c++) {
                float p = (float) StrictMath.exp(t.scores[at + c] - rowLse);
                t.scores[at + c] = p;
                float ds = p * (t.dScores[at + c] - delta);
                if (capped) ds *= 1f - t.tanh[at + c] * t.tanh[at + c];
                t.dScores[at + c] = ds * scale;
            }
        }
    }

    // ------------------------------------------------------------------ shared tile steps

    /**
     * Raw q·k tile → final logits in place: scale, soft-cap (its tanh kept in tanhOut when given,
     * for the backward's derivative), + mask.
     */
    private static void finishLogits(AttentionShape s, float[] scores, float[] tanhOut, int rows, int cols,
                                     MemorySegment mask, int b, int i0, int j0) {
        float scale = s.scale(), cap = s.softCap(), invCap = cap > 0 ? 1f / cap : 0f;
        boolean masked = mask != null && s.maskBatches() > 0;
        long maskRow0 = masked ? ((long) (s.maskBatches() == 1 ? 0 : b) * s.qLen() + i0) * s.kvLen() + j0 : 0;
        int vectorEnd = VectorWidth.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int at = r * K_TILE;
            long maskAt = maskRow0 + (long) r * s.kvLen();
            int c = 0;
            for (; c < vectorEnd; c += F.length()) {
                FloatVector z = FloatVector.fromArray(F, scores, at + c).mul(scale);
                if (cap > 0) {
                    FloatVector th = VectorMath.tanh(z.mul(invCap));
                    if (tanhOut != null) th.intoArray(tanhOut, at + c);
                    z = th.mul(cap);
                }
                if (masked) z = z.add(FloatVector.fromMemorySegment(F, mask, (maskAt + c) * Float.BYTES, ORDER));
                z.intoArray(scores, at + c);
            }
            for (; c < cols; c++) {
                float z = scores[at + c] * scale;
                if (cap > 0) {
                    float th = (float) StrictMath.tanh(z * invCap);
                    if (tanhOut != null) tanhOut[at + c] = th;
                    z = th * cap;
                }
                if (masked) z += mask.getAtIndex(FLOAT, maskAt + c);
                scores[at + c] = z;
            }
        }
    }

    private static float rowMax(float[] a, int from, int n) {
        int vectorEnd = VectorWidth.loopBound(n);
        float max = Float.NEGATIVE_INFINITY;
        int c = 0;
        if (vectorEnd > 0) {
            FloatVector m = FloatVector.fromArray(F, a, from);
            for (c = F.length(); c < vectorEnd; c += F.length()) m = m.max(FloatVector.fromArray(F, a, from + c));
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; c < n; c++) max = Math.max(max, a[from + c]);
        return max;
    }

    /** a[i] ← exp(a[i] − shift) over the row; returns their sum. */
    private static float expShifted(float[] a, int from, int n, float shift) {
        int vectorEnd = VectorWidth.loopBound(n);
        FloatVector acc = FloatVector.zero(F);
        int c = 0;
        for (; c < vectorEnd; c += F.length()) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, a, from + c).sub(shift));
            e.intoArray(a, from + c);
            acc = acc.add(e);
        }
        float sum = vectorEnd > 0 ? VectorMath.sum(acc) : 0f;
        for (; c < n; c++) sum += a[from + c] = (float) StrictMath.exp(a[from + c] - shift);
        return sum;
    }

    private static void scale(float[] a, int from, int n, float factor) {
        int vectorEnd = VectorWidth.loopBound(n);
        int c = 0;
        for (; c < vectorEnd; c += F.length()) FloatVector.fromArray(F, a, from + c).mul(factor).intoArray(a, from + c);
        for (; c < n; c++) a[from + c] *= factor;
    }

    private static float dot(float[] a, int aFrom, float[] b, int bFrom, int n) {
        int vectorEnd = VectorWidth.loopBound(n);
        FloatVector acc = FloatVector.zero(F);
        int c = 0;
        for (; c < vectorEnd; c += F.length())
            acc = FloatVector.fromArray(F, a, aFrom + c).fma(FloatVector.fromArray(F, b, bFrom + c), acc);
        float sum = vectorEnd > 0 ? VectorMath.sum(acc) : 0f;
        for (; c < n; c++) sum = Math.fma(a[aFrom + c], b[bFrom + c], sum);
        return sum;
    }

    // ------------------------------------------------------------------ layouts and copies

    /** Element index of q/out row (b, i, h). */
    private static long qRow(AttentionShape s, int b, int i, int h) {
        return (((long) b * s.qLen() + i) * s.heads() + h) * s.headDim();
    }

    /** Element index of k/v row (b, j, kvh). */
    private static long kvRow(AttentionShape s, int b, int j, int kvh) {
        return (((long) b * s.kvLen() + j) * s.kvHeads() + kvh) * s.headDim();
    }

    private static long lseIndex(AttentionShape s, int b, int h, int i) {
        return ((long) b * s.heads() + h) * s.qLen() + i;
    }

    /** rows vectors of width D, stride apart in the segment → dst[at + r·D + d]. */
    private static void loadRows(MemorySegment src, long first, long stride, int rows, int D, float[] dst, int at) {
        for (int r = 0; r < rows; r++) MemorySegment.copy(src, FLOAT, (first + r * stride) * Float.BYTES, dst, at + r * D, D);
    }

    /** rows vectors of width D → dst[at + d·K_TILE + r], the transposed tile whose rows run along keys. */
    private static void loadColumns(MemorySegment src, long first, long stride, int rows, int D, float[] dst, int at, float[] line) {
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(src, FLOAT, (first + r * stride) * Float.BYTES, line, 0, D);
            for (int d = 0; d < D; d++) dst[at + d * K_TILE + r] = line[d];
        }
    }

    private static void storeRows(float[] src, MemorySegment dst, long first, long stride, int rows, int D) {
        for (int r = 0; r < rows; r++) MemorySegment.copy(src, r * D, dst, FLOAT, (first + r * stride) * Float.BYTES, D);
    }

    private static void requireSizes(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                                     MemorySegment out, MemorySegment lse) {
        long qElems = (long) s.batch() * s.qLen() * s.heads() * s.headDim();
        long kvElems = (long) s.batch() * s.kvLen() * s.kvHeads() * s.headDim();
        requireFloats(q, qElems, "q [batch, qLen, heads, headDim]");
        requireFloats(k, kvElems, "k [batch, kvLen, kvHeads, headDim]");
        requireFloats(v, kvElems, "v [batch, kvLen, kvHeads, headDim]");
        requireFloats(out, qElems, "out [batch, qLen, heads, headDim]");
        requireFloats(lse, (long) s.batch() * s.heads() * s.qLen(), "lse [batch, heads, qLen]");
        if (mask != null && s.maskBatches() > 0)
            requireFloats(mask, (long) s.maskBatches() * s.qLen() * s.kvLen(), "mask [maskBatches, qLen, kvLen]");
    }

    private static void requireFloats(MemorySegment segment, long elements, String what) {
        if (segment == null) throw new IllegalArgumentException(what + " is null");
        if (segment.byteSize() < elements * Float.BYTES)
            throw new IllegalArgumentException(what + " needs " + elements + " floats, the segment holds " + segment.byteSize() / Float.BYTES);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
