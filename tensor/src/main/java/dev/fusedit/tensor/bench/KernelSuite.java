package dev.fusedit.tensor.bench;

import dev.fusedit.tensor.ElementAccess;
import dev.fusedit.tensor.bench.KernelWorkload.Bound;
import dev.fusedit.tensor.kernels.AdamWStep;
import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.RopeShape;
import dev.fusedit.tensor.kernels.VectorKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The kernel benchmark suite, defined once for both harnesses that run it (`fusedit bench
 * kernels` and the JMH KernelsBenchmark): each kernel at a model-sized shape, the work one call
 * does, and the limit it is measured against. Compute-bound kernels (attention, the
 * bfloat16-weight GEMM) count FLOPs and are compared with our float32 GEMM; memory-bound ones
 * (bfloat16 matvec, the row kernels, AdamW) count bytes of memory traffic and are compared with a
 * large copy on the same threads ({@link CopyBandwidth} says how both are counted).
 */
public final class KernelSuite {
    private KernelSuite() {}

    /** Every workload's key, references first. */
    public static final List<String> NAMES = List.of(
            "gemm", "attention-fwd", "attention-bwd", "f32-gemm-nt", "bf16-gemm-nt", "f32-gemm-nn", "bf16-gemm-nn",
            "copy", "copy-jdk", "read", "bf16-matvec", "rmsnorm", "rope", "geglu", "softmax", "adamw");

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** ElementAccess per memory-bound kernel: 64 MiB per float32 operand, well past the caches. */
    private static final int ELEMENTS = 16 << 20;
    private static final long BYTES = (long) ELEMENTS * Float.BYTES;
    /** Bytes of each copy buffer: 256 MiB. */
    private static final long COPY_BYTES = 256L << 20;

    /** The workload called name, its inputs allocated in arena (which must outlive its calls). */
    public static KernelWorkload create(String name, VectorKernels kernels, Arena arena) {
        return switch (name) {
            case "gemm" -> {
                MatmulShape s = MatmulShape.of(1024, 1024, 1024);
                MemorySegment a = floats(arena, 1024 * 1024, 1), b = floats(arena, 1024 * 1024, 2), c = floats(arena, 1024 * 1024, 3);
                yield new KernelWorkload(name, "f32 gemm 1024^3", Bound.COMPUTE, s.flops(), name, () -> kernels.matmul(s, a, b, c));
            }
            case "attention-fwd", "attention-bwd" -> attention(name, kernels, arena);
            case "f32-gemm-nt", "bf16-gemm-nt", "f32-gemm-nn", "bf16-gemm-nn" -> weightGemm(name, kernels, arena);
            case "copy", "copy-jdk", "read" -> copyWorkload(name, copyReference(kernels, arena));
            case "bf16-matvec" -> {
                // one decoded token against a 32768 × 2304 bfloat16 weight (151 MB): the weight is read once, x and y are small
                int n = 32768, k = 2304;
                MatmulShape s = new MatmulShape(1, 1, n, k, false, true, k, (long) n * k, n, false);
                MemorySegment x = floats(arena, k, 1), w = bf16(arena, (long) n * k, 2), y = floats(arena, n, 3);
                yield new KernelWorkload(name, "bf16 matvec 1x2304·(32768x2304)t", Bound.MEMORY, w.byteSize(), "copy-jdk",
                        () -> kernels.matmulBf16Weights(s, x, w, y));
            }
            case "rmsnorm" -> {
                int dim = 2048, rows = ELEMENTS / dim;
                MemorySegment x = floats(arena, ELEMENTS, 1), y = floats(arena, ELEMENTS, 2), w = floats(arena, dim, 5),
                        rstd = floats(arena, rows, 6);
                yield memory(name, "rmsnorm 8192x2048", CopyBandwidth.traffic(BYTES, BYTES, 0),
                        () -> kernels.rmsNorm(rows, dim, 1e-6f, 1f, x, w, y, rstd));
            }
            case "rope" -> {
                RopeShape rope = new RopeShape(8, 1024, 8, 256, 1);
                MemorySegment x = floats(arena, ELEMENTS, 1), y = floats(arena, ELEMENTS, 2),
                        cos = floats(arena, 1024L * 256, 7), sin = floats(arena, 1024L * 256, 8);
                yield memory(name, "rope 8x1024x8x256", CopyBandwidth.traffic(BYTES, BYTES, 0),
                        () -> kernels.rope(rope, x, cos, sin, y, false));
            }
            case "geglu" -> {
                MemorySegment gate = floats(arena, ELEMENTS, 1), up = floats(arena, ELEMENTS, 2), out = floats(arena, ELEMENTS, 3);
                yield memory(name, "geglu 16M", CopyBandwidth.traffic(2 * BYTES, BYTES, 0), () -> kernels.geglu(ELEMENTS, gate, up, out));
            }
            case "softmax" -> {
                int cols = 1280, rows = ELEMENTS / cols;
                long bytes = (long) rows * cols * Float.BYTES;
                MemorySegment x = floats(arena, ELEMENTS, 1), y = floats(arena, ELEMENTS, 2);
                yield memory(name, "softmax 13107x1280", CopyBandwidth.traffic(bytes, bytes, 0), () -> kernels.softmax(rows, cols, x, y));
            }
            case "adamw" -> {
                AdamWStep step = new AdamWStep(1e-4f, 0.9f, 0.999f, 1e-8f, 0.01f, 10);
                MemorySegment param = floats(arena, ELEMENTS, 3), grad = floats(arena, ELEMENTS, 1), m = floats(arena, ELEMENTS, 4),
                        v = floats(arena, ELEMENTS, 9);
                for (long i = 0; i < ELEMENTS; i++) v.setAtIndex(F32, i, Math.abs(v.getAtIndex(F32, i)));
                // param, m and v are read and written in place, grad only read
                yield memory(name, "adamw 16M", CopyBandwidth.traffic(4 * BYTES, 0, 3 * BYTES),
                        () -> kernels.adamw(ELEMENTS, step, param, grad, m, v));
            }
            default -> throw new IllegalArgumentException("no kernel workload \"" + name + "\"; expected one of " + NAMES);
        };
    }

    /** The copy and read reference over two fresh 256 MiB buffers on the kernels' pool. */
    public static CopyBandwidth copyReference(VectorKernels kernels, Arena arena) {
        MemorySegment src = arena.allocate(COPY_BYTES, 64), dst = arena.allocate(COPY_BYTES, 64);
        src.fill((byte) 1);
        dst.fill((byte) 0);
        return new CopyBandwidth(kernels.cpuPool(), src, dst);
    }

    /**
     * A memory reference over copy's buffers: "copy" (ordinary stores, 3N bytes of traffic, the
     * row kernels' limit), "copy-jdk" (the JDK's non-temporal copy, bytes read + written, the limit
     * of the read-only bfloat16 matvec) or "read" (loads only).
     */
    public static KernelWorkload copyWorkload(String name, CopyBandwidth copy) {
        return switch (name) {
            case "copy" -> new KernelWorkload(name, "copy 256 MiB", Bound.MEMORY, copy.trafficBytes(), name, copy::copy);
            case "copy-jdk" -> new KernelWorkload(name, "JDK copy 256 MiB (read+written)", Bound.MEMORY, copy.jdkCopyBytes(), name, copy::copyJdk);
            case "read" -> new KernelWorkload(name, "read 256 MiB (no writes)", Bound.MEMORY, copy.readBytes(), name, copy::read);
            default -> throw new IllegalArgumentException("no copy reference \"" + name + "\"; expected copy, copy-jdk or read");
        };
    }

    private static KernelWorkload memory(String name, String label, long traffic, Runnable call) {
        return new KernelWorkload(name, label, Bound.MEMORY, traffic, "copy", call);
    }

    /**
     * Forward and backward at the DiT's joint sequence (256 text + 1024 image tokens), head_dim 256,
     * 8 query heads sharing 4 kv heads, no mask. Backward FLOPs: five S×S×D products to the forward's two.
     */
    private static KernelWorkload attention(String name, VectorKernels kernels, Arena arena) {
        int seq = 1280, heads = 8, kvHeads = 4, dim = 256;
        AttentionShape s = new AttentionShape(1, heads, kvHeads, seq, seq, dim, (float) (1 / Math.sqrt(dim)), 0f, 0);
        long qn = (long) seq * heads * dim, kvn = (long) seq * kvHeads * dim;
        MemorySegment q = floats(arena, qn, 1), k = floats(arena, kvn, 2), v = floats(arena, kvn, 3), out = floats(arena, qn, 4),
                lse = floats(arena, (long) heads * seq, 5);
        if (name.equals("attention-fwd"))
            return new KernelWorkload(name, "attention fwd S=1280 D=256 8/4 heads", Bound.COMPUTE, s.flops(), "gemm",
                    () -> kernels.attention(s, q, k, v, null, out, lse));
        kernels.attention(s, q, k, v, null, out, lse); // the backward reads the forward's output and log-sum-exp
        MemorySegment dOut = floats(arena, qn, 6), dq = floats(arena, qn, 7), dk = floats(arena, kvn, 8), dv = floats(arena, kvn, 9);
        return new KernelWorkload(name, "attention bwd S=1280 D=256 8/4 heads", Bound.COMPUTE, s.backwardFlops(), "gemm",
                () -> kernels.attentionBackward(s, q, k, v, null, out, lse, dOut, dq, dk, dv));
    }

    /**
     * A linear layer's products with a bfloat16 weight, and the same products with the weight
     * widened to float32 (the bfloat16 kernel's reference): forward y = x·Wᵀ (nt, W 2048×2304) and
     * input gradient dX = dY·W (nn, W 2048×2304), 1024 rows.
     */
    private static KernelWorkload weightGemm(String name, VectorKernels kernels, Arena arena) {
        boolean nt = name.endsWith("-nt"), bf16 = name.startsWith("bf16");
        MatmulShape s = nt
                ? new MatmulShape(1, 1024, 2048, 2304, false, true, 1024L * 2304, 2304L * 2048, 1024L * 2048, false)
                : new MatmulShape(1, 1024, 2304, 2048, false, false, 1024L * 2048, 2304L * 2048, 1024L * 2304, false);
        long kn = (long) s.k() * s.n();
        MemorySegment a = floats(arena, (long) s.m() * s.k(), 1), w = bf16(arena, kn, 2), c = floats(arena, (long) s.m() * s.n(), 3);
        String label = String.format("%s gemm %s %dx%dx%d", bf16 ? "bf16" : "f32", nt ? "y=x·Wt" : "dX=dY·W", s.m(), s.k(), s.n());
        String twin = "f32" + name.substring(name.indexOf('-'));
        if (bf16) return new KernelWorkload(name, label, Bound.COMPUTE, s.flops(), twin, () -> kernels.matmulBf16Weights(s, a, w, c));
        MemorySegment wide = arena.allocate(kn * Float.BYTES, 64);
        for (long i = 0; i < kn; i++) wide.setAtIndex(F32, i, ElementAccess.bf16ToFloat(w.getAtIndex(BF16, i)));
        return new KernelWorkload(name, label, Bound.COMPUTE, s.flops(), name, () -> kernels.matmul(s, a, wide, c));
    }

    /**
     * Calls attention and each row kernel many times on small inputs, so that C2 has compiled
     * their loops before a timing starts. The timed calls alone may not get there: measured
     * here, the attention forward at the suite's shape reached full speed only after about a
     * dozen calls (a second), where a timing that starts after a shorter warm-up read 0.6 of it;
     * on a loaded machine the compiler threads wait for a core longer still, and the Vector API
     * before C2 is two orders of magnitude slower. Runs for at most seconds (at least one round).
     */
    public static void warmUpKernels(Kernels kernels, double seconds) {
        int rows = 64, cols = 2048;
        long n = (long) rows * cols;
        // attention at the suite's head_dim over a few query and key tiles, 2 query heads per kv head
        int seq = 300, heads = 2, dim = 256;
        AttentionShape att = new AttentionShape(1, heads, 1, seq, seq, dim, (float) (1 / Math.sqrt(dim)), 0f, 0);
        try (Arena arena = Arena.ofShared()) { // the kernels' pool threads read it
            MemorySegment x = floats(arena, n, 1), y = floats(arena, n, 2), z = floats(arena, n, 3), u = floats(arena, n, 4),
                    v = floats(arena, n, 5), w = floats(arena, cols, 6), rstd = floats(arena, rows, 7);
            for (long i = 0; i < n; i++) v.setAtIndex(F32, i, Math.abs(v.getAtIndex(F32, i)));
            long qn = (long) seq * heads * dim, kvn = (long) seq * dim;
            MemorySegment q = floats(arena, qn, 8), k = floats(arena, kvn, 9), vv = floats(arena, kvn, 10), out = floats(arena, qn, 11),
                    lse = floats(arena, (long) heads * seq, 12), dOut = floats(arena, qn, 13), dq = floats(arena, qn, 14),
                    dk = floats(arena, kvn, 15), dv = floats(arena, kvn, 16);
            RopeShape rope = new RopeShape(1, rows, 8, cols / 8, 1);
            AdamWStep step = new AdamWStep(1e-4f, 0.9f, 0.999f, 1e-8f, 0.01f, 10);
            long end = System.nanoTime() + (long) (seconds * 1e9);
            for (int i = 0; i < 2000 && (i == 0 || System.nanoTime() < end); i++) {
                kernels.attention(att, q, k, vv, null, out, lse);
                kernels.attentionBackward(att, q, k, vv, null, out, lse, dOut, dq, dk, dv);
                kernels.rmsNorm(rows, cols, 1e-6f, 1f, x, w, y, rstd);
                kernels.rope(rope, x, x, x, y, false);
                kernels.geglu(n, x, y, z);
                kernels.softmax(rows, cols, x, y);
                kernels.adamw(n, step, z, x, u, v);
            }
        }
    }

    private static MemorySegment floats(Arena arena, long n, long seed) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(F32, i, (float) r.nextDouble(-1, 1));
        return s;
    }

    private static MemorySegment bf16(Arena arena, long n, long seed) {
        MemorySegment s = arena.allocate(n * Short.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(BF16, i, ElementAccess.floatToBf16((float) r.nextDouble(-1, 1)));
        return s;
    }
}
