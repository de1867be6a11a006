package dev.fusedit.cli;

import dev.fusedit.tensor.Elements;
import dev.fusedit.tensor.kernels.AdamWStep;
import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.RopeShape;
import dev.fusedit.tensor.kernels.VectorKernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * `fusedit bench kernels`: each kernel's rate against the limit that bounds it, both measured in
 * the same run: compute-bound kernels (attention, bfloat16-weight GEMM) in GFLOP/s against our
 * float32 GEMM, memory-bound ones (bfloat16 matvec, row kernels, AdamW) in GB/s of memory
 * traffic against a large copy on the same threads (see {@link CopyBandwidth} for how both are
 * counted). Each memory-bound kernel is timed in alternating blocks with its own copy reference:
 * on a shared machine the bandwidth left over swings by 2x within seconds, and the ratio is only
 * meaningful under the same load.
 */
@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = {"Kernel rates and their ratio to a limit measured in the same run: attention and BF16 GEMM",
                "against our F32 GEMM (GFLOP/s), BF16 matvec and the row kernels against a large copy on the same threads",
                "(GB/s of memory traffic: bytes read, plus bytes written, plus the reads ordinary stores make of lines",
                "they write to that were not read first)."})
final class BenchKernelsCommand implements Callable<Integer> {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** Seconds per measurement: the whole command stays under a minute. */
    private static final double BUDGET = 1.2;
    /** Elements per memory-bound kernel: 64 MiB per float32 operand, well past the caches. */
    private static final int ELEMENTS = 16 << 20;

    @Option(names = "--json", description = "one JSON object per line instead of a table")
    boolean json;

    @Option(names = "--threads", defaultValue = "2", description = "kernel threads (default ${DEFAULT-VALUE})")
    int threads;

    private VectorKernels kernels;
    /** The bandwidth reference: a copy of COPY_BYTES on the kernels' threads. */
    private CopyBandwidth copy;
    private static final long COPY_BYTES = 256L << 20;

    @Override
    public Integer call() {
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        if (!json) {
            System.out.println(BenchTiming.machineLine(threads));
            System.out.printf("%-38s %10s %8s %12s %7s%n", "kernel", "rate", "unit", "reference", "ratio");
        }
        try (KernelPool pool = new KernelPool(threads)) {
            kernels = new VectorKernels(pool);
            BenchGemmCommand.warmUpJit(kernels);
            double gemm = f32Gemm(MatmulShape.of(1024, 1024, 1024));
            row("f32 gemm 1024^3 (reference)", gemm, "GFLOP/s", gemm);
            attention(gemm);
            bf16Gemm(new MatmulShape(1, 1024, 2048, 2304, false, true, 1024L * 2304, 2304L * 2048, 1024L * 2048, false), "y=x·Wt");
            bf16Gemm(new MatmulShape(1, 1024, 2304, 2048, false, false, 1024L * 2048, 2304L * 2048, 1024L * 2304, false), "dX=dY·W");
            try (Arena arena = Arena.ofShared()) {
                MemorySegment src = arena.allocate(COPY_BYTES, 64), dst = arena.allocate(COPY_BYTES, 64);
                src.fill((byte) 1);
                dst.fill((byte) 0);
                copy = new CopyBandwidth(kernels.pool(), src, dst);
                double alone = copy.trafficBytes() / BenchTiming.median(copy::copy, BUDGET) * 1e-9;
                row("copy 256 MiB (reference)", alone, "GB/s", alone);
                // for comparison: the JDK's copy (non-temporal stores on CPUs where its stub uses them), one thread, read+written
                double jdk = 2.0 * COPY_BYTES / BenchTiming.median(() -> MemorySegment.copy(src, 0, dst, 0, COPY_BYTES), BUDGET) * 1e-9;
                row("MemorySegment.copy 256 MiB r+w, 1 thread", jdk, "GB/s", alone);
                double read = copy.readBytes() / BenchTiming.median(copy::read, BUDGET) * 1e-9;
                row("read 256 MiB (no writes)", read, "GB/s", alone);
                bf16Matvec();
                rowKernels();
            }
        }
        return 0;
    }

    private void row(String name, double rate, String unit, double reference) {
        if (json)
            System.out.printf(Locale.ROOT, "{\"kernel\":\"%s\",\"rate\":%.2f,\"unit\":\"%s\",\"reference\":%.2f,\"ratio\":%.3f}%n",
                    name, rate, unit, reference, rate / reference);
        else System.out.printf(Locale.ROOT, "%-38s %10.1f %8s %12.1f %7.2f%n", name, rate, unit, reference, rate / reference);
        System.out.flush();
    }

    // ---------------------------------------------------------------- compute-bound

    private double f32Gemm(MatmulShape s) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = floats(arena, (long) s.m() * s.k(), 1), b = floats(arena, (long) s.k() * s.n(), 2),
                    c = floats(arena, (long) s.m() * s.n(), 3);
            return s.flops() / BenchTiming.median(() -> kernels.matmul(s, a, b, c), BUDGET) * 1e-9;
        }
    }

    /** The bfloat16-weight GEMM against our float32 GEMM on the same shape (the weight widened). */
    private void bf16Gemm(MatmulShape s, String label) {
        try (Arena arena = Arena.ofShared()) {
            long kn = (long) s.k() * s.n();
            MemorySegment a = floats(arena, (long) s.m() * s.k(), 1), w = bf16(arena, kn, 2), wide = arena.allocate(kn * 4, 64),
                    c = floats(arena, (long) s.m() * s.n(), 3);
            for (long i = 0; i < kn; i++) wide.setAtIndex(F32, i, Elements.bf16ToFloat(w.getAtIndex(BF16, i)));
            double[] t = BenchTiming.interleavedMedians(() -> kernels.matmulBf16Weights(s, a, w, c), () -> kernels.matmul(s, a, wide, c), BUDGET * 2);
            row(String.format(Locale.ROOT, "bf16 gemm %s %dx%dx%d", label, s.m(), s.k(), s.n()), s.flops() / t[0] * 1e-9, "GFLOP/s",
                    s.flops() / t[1] * 1e-9);
        }
    }

    /**
     * Forward and backward at the DiT's joint sequence (256 text + 1024 image tokens), head_dim 256,
     * 8 query heads sharing 4 kv heads, no mask. Backward FLOPs: five S×S×D products to the forward's two.
     */
    private void attention(double gemm) {
        int seq = 1280, heads = 8, kvHeads = 4, dim = 256;
        AttentionShape s = new AttentionShape(1, heads, kvHeads, seq, seq, dim, (float) (1 / Math.sqrt(dim)), 0f, 0);
        try (Arena arena = Arena.ofShared()) {
            long qn = (long) seq * heads * dim, kvn = (long) seq * kvHeads * dim;
            MemorySegment q = floats(arena, qn, 1), k = floats(arena, kvn, 2), v = floats(arena, kvn, 3), out = floats(arena, qn, 4),
                    lse = floats(arena, (long) heads * seq, 5), dOut = floats(arena, qn, 6), dq = floats(arena, qn, 7),
                    dk = floats(arena, kvn, 8), dv = floats(arena, kvn, 9);
            double forward = s.flops() / BenchTiming.median(() -> kernels.attention(s, q, k, v, null, out, lse), BUDGET * 2) * 1e-9;
            row("attention fwd S=1280 D=256 8/4 heads", forward, "GFLOP/s", gemm);
            double backward = 2.5 * s.flops()
                    / BenchTiming.median(() -> kernels.attentionBackward(s, q, k, v, null, out, lse, dOut, dq, dk, dv), BUDGET * 3) * 1e-9;
            row("attention bwd S=1280 D=256 8/4 heads", backward, "GFLOP/s", gemm);
        }
    }

    // ---------------------------------------------------------------- memory-bound

    /** One decoded token against a 32768 × 2304 bfloat16 weight (151 MB): its traffic is the weight read once (x and y are small). */
    private void bf16Matvec() {
        int n = 32768, k = 2304;
        MatmulShape s = new MatmulShape(1, 1, n, k, false, true, k, (long) n * k, n, false);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = floats(arena, k, 1), w = bf16(arena, (long) n * k, 2), y = floats(arena, n, 3);
            Runnable matvec = () -> kernels.matmulBf16Weights(s, x, w, y);
            rate("bf16 matvec 1x2304·(32768x2304)t", w.byteSize(), matvec);
            // the same against a plain read of as many bytes, a limit it can reach (the copy's it cannot here: see CopyBandwidth.read)
            double[] t = BenchTiming.interleavedMedians(matvec, copy::read, 2 * BUDGET);
            row("bf16 matvec vs read (no writes)", w.byteSize() / t[0] * 1e-9, "GB/s", copy.readBytes() / t[1] * 1e-9);
        }
    }

    /**
     * Calls each row kernel many times on a small input first, so that C2 has compiled their
     * loops before the timing starts. The timed calls alone (a few per kernel, hundreds of
     * milliseconds each before C2) may not get there on a loaded machine, where the compiler
     * threads wait for a core, and the Vector API before C2 is two orders of magnitude slower.
     */
    private void warmUpRowKernels(Arena arena) {
        int rows = 64, cols = 2048;
        long n = (long) rows * cols;
        MemorySegment x = floats(arena, n, 1), y = floats(arena, n, 2), z = floats(arena, n, 3), u = floats(arena, n, 4),
                v = floats(arena, n, 5), w = floats(arena, cols, 6), rstd = floats(arena, rows, 7);
        for (long i = 0; i < n; i++) v.setAtIndex(F32, i, Math.abs(v.getAtIndex(F32, i)));
        RopeShape rope = new RopeShape(1, rows, 8, cols / 8, 1);
        AdamWStep step = new AdamWStep(1e-4f, 0.9f, 0.999f, 1e-8f, 0.01f, 10);
        long end = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; i < 2000 && System.nanoTime() < end; i++) {
            kernels.rmsNorm(rows, cols, 1e-6f, 1f, x, w, y, rstd);
            kernels.rope(rope, x, x, x, y, false);
            kernels.geglu(n, x, y, z);
            kernels.softmax(rows, cols, x, y);
            kernels.adamw(n, step, z, x, u, v);
        }
    }

    private void rowKernels() {
        long n = ELEMENTS, bytes = n * Float.BYTES;
        try (Arena arena = Arena.ofShared()) {
            warmUpRowKernels(arena);
            MemorySegment x = floats(arena, n, 1), y = floats(arena, n, 2), z = floats(arena, n, 3), u = floats(arena, n, 4);
            int dim = 2048, rows = (int) (n / dim);
            MemorySegment w = floats(arena, dim, 5), rstd = floats(arena, rows, 6);
            rate("rmsnorm 8192x2048", CopyBandwidth.traffic(bytes, bytes, 0), () -> kernels.rmsNorm(rows, dim, 1e-6f, 1f, x, w, y, rstd));

            RopeShape rope = new RopeShape(8, 1024, 8, 256, 1);
            MemorySegment cos = floats(arena, 1024L * 256, 7), sin = floats(arena, 1024L * 256, 8);
            rate("rope 8x1024x8x256", CopyBandwidth.traffic(bytes, bytes, 0), () -> kernels.rope(rope, x, cos, sin, y, false));

            rate("geglu 16M", CopyBandwidth.traffic(2 * bytes, bytes, 0), () -> kernels.geglu(n, x, y, z));

            int cols = 1280, softRows = (int) (n / cols);
            long softBytes = (long) softRows * cols * Float.BYTES;
            rate("softmax 13107x1280", CopyBandwidth.traffic(softBytes, softBytes, 0), () -> kernels.softmax(softRows, cols, x, y));

            AdamWStep step = new AdamWStep(1e-4f, 0.9f, 0.999f, 1e-8f, 0.01f, 10);
            MemorySegment v = floats(arena, n, 9);
            for (long i = 0; i < n; i++) v.setAtIndex(F32, i, Math.abs(v.getAtIndex(F32, i)));
            // param, m and v are read and written in place, grad only read
            rate("adamw 16M", CopyBandwidth.traffic(4 * bytes, 0, 3 * bytes), () -> kernels.adamw(n, step, z, x, u, v));
        }
    }

    /** GB/s of body (trafficBytes of memory traffic per call), with the copy bandwidth timed alternately with it as reference. */
    private void rate(String name, double trafficBytes, Runnable body) {
        double[] t = BenchTiming.interleavedMedians(body, copy::copy, 2 * BUDGET);
        row(name, trafficBytes / t[0] * 1e-9, "GB/s", copy.trafficBytes() / t[1] * 1e-9);
    }

    // ---------------------------------------------------------------- inputs

    private static MemorySegment floats(Arena arena, long n, long seed) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(F32, i, (float) r.nextDouble(-1, 1));
        return s;
    }

    private static MemorySegment bf16(Arena arena, long n, long seed) {
        MemorySegment s = arena.allocate(n * Short.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(BF16, i, Elements.floatToBf16((float) r.nextDouble(-1, 1)));
        return s;
    }
}
