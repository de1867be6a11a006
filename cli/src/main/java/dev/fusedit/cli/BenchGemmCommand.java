package dev.fusedit.cli;

import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.VectorKernels;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * `fusedit bench gemm`: our float32 GEMM against OpenBLAS cblas_sgemm on the same inputs in the
 * same process, timed alternately (median of several runs), so the ratio holds on a loaded machine.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = {"Float32 GEMM GFLOP/s: ours vs OpenBLAS (same process, interleaved, median of runs).",
                "Default: square n = 512, 1024, 2048; --shapes: the model's projection shapes; --training: the skinny",
                "training-step shapes with their backward transposes."})
final class BenchGemmCommand implements Callable<Integer> {
    /** Environment variables that make OpenBLAS pick a slower kernel or blocking when set. */
    static final String[] SLOWING_ENV = {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"};

    @Option(names = "--json", description = "one JSON object per line instead of a table")
    boolean json;

    @Option(names = "--shapes", description = "the model's shapes: M in {64, 256, 1024, 2048} x (K, N) of its projections")
    boolean shapes;

    @Option(names = "--training", description = "the tiny training config's shapes (M = 4096 or 1024 rows, K, N <= 512, with transposes)")
    boolean training;

    @Option(names = "--threads", defaultValue = "2", description = "threads for both ours and OpenBLAS (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--cpu-time", description = "with --threads 1: time by the thread's CPU time, which other processes' load does not inflate")
    boolean cpuTime;

    @Option(names = "--seconds", defaultValue = "2", description = "time budget per shape (default ${DEFAULT-VALUE})")
    double seconds;

    /** op(A) is m×k, op(B) k×n; A stored k×m when transA, B stored n×k when transB. */
    record Case(int m, int n, int k, boolean transA, boolean transB, String label) {
        double flops() { return 2.0 * m * n * k; }
    }

    @Override
    public Integer call() {
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        if (cpuTime && threads != 1) throw new IllegalArgumentException("--cpu-time needs --threads 1 (it measures the calling thread only)");
        if (shapes && training) throw new IllegalArgumentException("--shapes and --training are alternatives; pick one");
        warnAboutEnvironment();
        openblas.blas_set_num_threads(threads);
        List<Case> cases = shapes ? modelShapes() : training ? trainingShapes() : squareShapes();
        if (!json) {
            System.out.println(BenchTiming.machineLine(threads));
            System.out.println(shapes || training
                    ? String.format("%-10s %6s %6s %6s %12s %12s %7s", "op", "m", "k", "n", "ours GF/s", "OpenBLAS GF/s", "ratio")
                    : String.format("%6s %12s %14s %7s", "n", "ours GF/s", "OpenBLAS GF/s", "ratio"));
        }
        try (KernelPool pool = new KernelPool(threads)) {
            VectorKernels ours = new VectorKernels(pool);
            warmUpJit(ours);
            for (Case c : cases) {
                double[] gflops = measure(ours, c, seconds, cpuTime);
                double ratio = gflops[0] / gflops[1];
                if (json) {
                    String extra = shapes || training ? String.format(Locale.ROOT, "\"m\":%d,\"k\":%d,", c.m, c.k) : "";
                    String trans = training ? String.format(Locale.ROOT, "\"op\":\"%s\",\"trans_a\":%b,\"trans_b\":%b,", c.label, c.transA, c.transB) : "";
                    System.out.printf(Locale.ROOT, "{%s%s\"n\":%d,\"ours_gflops\":%.2f,\"openblas_gflops\":%.2f,\"ratio\":%.3f}%n",
                            trans, extra, c.n, gflops[0], gflops[1], ratio);
                } else if (shapes || training) {
                    System.out.printf(Locale.ROOT, "%-10s %6d %6d %6d %12.1f %12.1f %7.2f%n", c.label, c.m, c.k, c.n, gflops[0], gflops[1], ratio);
                } else {
                    System.out.printf(Locale.ROOT, "%6d %12.1f %14.1f %7.2f%n", c.n, gflops[0], gflops[1], ratio);
                }
                System.out.flush();
            }
        }
        return 0;
    }

    static void warnAboutEnvironment() {
        for (String name : SLOWING_ENV)
            if (System.getenv(name) != null)
                System.err.println("warning: " + name + "=" + System.getenv(name) + " is set; it slows OpenBLAS down"
                        + " (the ./fusedit launcher unsets it for `bench`)");
    }

    private static List<Case> squareShapes() {
        List<Case> list = new ArrayList<>();
        for (int n : new int[] {512, 1024, 2048}) list.add(new Case(n, n, n, false, false, "nn"));
        return list;
    }

    /** Token rows times the (in, out) features of the text and image projections (Gemma 2B and the DiT). */
    private static List<Case> modelShapes() {
        List<Case> list = new ArrayList<>();
        int[][] kn = {{2304, 2048}, {2304, 9216}, {9216, 2304}, {2048, 2304}};
        for (int m : new int[] {64, 256, 1024, 2048})
            for (int[] p : kn) list.add(new Case(m, p[1], p[0], false, false, "nn"));
        return list;
    }

    /**
     * y = x·Wᵀ (W stored [out, in]), dX = dY·W and dW = dYᵀ·X for the tiny config's linear layers:
     * 4096 image rows (64 samples × 64 tokens) or 1024 text rows.
     */
    static List<Case> trainingShapes() {
        List<Case> list = new ArrayList<>();
        int[][] inOut = {{128, 128}, {128, 512}, {512, 128}, {256, 256}};
        for (int[] p : inOut) {
            int in = p[0], out = p[1], rows = 4096;
            list.add(new Case(rows, out, in, false, true, "x·Wt"));
            list.add(new Case(rows, in, out, false, false, "dY·W"));
            list.add(new Case(out, in, rows, true, false, "dYt·X"));
        }
        list.add(new Case(1024, 128, 128, false, true, "x·Wt"));
        list.add(new Case(128, 128, 1024, true, false, "dYt·X"));
        return list;
    }

    /**
     * Runs our GEMM in every transpose combination for about a second first: C2 compiles the
     * micro-kernel only after many calls, and OpenBLAS (native) needs no such warm-up, so without
     * this the first shape measured would be timed partly in the interpreter.
     */
    static void warmUpJit(VectorKernels ours) {
        int n = 384;
        float[] v = random((long) n * n, 3);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate((long) n * n * Float.BYTES, 64), c = arena.allocate((long) n * n * Float.BYTES, 64);
            MemorySegment.copy(v, 0, a, ValueLayout.JAVA_FLOAT, 0, v.length);
            long end = System.nanoTime() + 1_000_000_000L;
            for (int i = 0; System.nanoTime() < end; i++)
                ours.matmul(new MatmulShape(1, n, n, n, (i & 1) != 0, (i & 2) != 0, (long) n * n, (long) n * n, (long) n * n, false), a, a, c);
        }
    }

    /** GFLOP/s of ours and OpenBLAS for one case. */
    static double[] measure(VectorKernels ours, Case c, double seconds, boolean cpuTime) {
        long aLen = (long) c.m * c.k, bLen = (long) c.k * c.n, cLen = (long) c.m * c.n;
        float[] av = random(aLen, 1), bv = random(bLen, 2);
        MatmulShape shape = new MatmulShape(1, c.m, c.n, c.k, c.transA, c.transB, aLen, bLen, cLen, false);
        try (Arena arena = Arena.ofShared();
             FloatPointer pa = new FloatPointer(av); FloatPointer pb = new FloatPointer(bv); FloatPointer pc = new FloatPointer(cLen)) {
            MemorySegment a = arena.allocate(aLen * Float.BYTES, 64), b = arena.allocate(bLen * Float.BYTES, 64),
                    out = arena.allocate(cLen * Float.BYTES, 64);
            MemorySegment.copy(av, 0, a, ValueLayout.JAVA_FLOAT, 0, av.length);
            MemorySegment.copy(bv, 0, b, ValueLayout.JAVA_FLOAT, 0, bv.length);
            int lda = c.transA ? c.m : c.k, ldb = c.transB ? c.k : c.n;
            int ta = c.transA ? openblas.CblasTrans : openblas.CblasNoTrans, tb = c.transB ? openblas.CblasTrans : openblas.CblasNoTrans;
            double[] t = BenchTiming.interleavedMedians(
                    () -> ours.matmul(shape, a, b, out),
                    () -> openblas.cblas_sgemm(openblas.CblasRowMajor, ta, tb, c.m, c.n, c.k, 1f, pa, lda, pb, ldb, 0f, pc, c.n),
                    seconds, cpuTime);
            return new double[] {c.flops() / t[0] * 1e-9, c.flops() / t[1] * 1e-9};
        }
    }

    static float[] random(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        return v;
    }
}
