package dev.fusedit.jmh;

import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.VectorKernels;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collection;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The skinny float32 products of a training step of configs/shapes-tiny.yaml on 2 threads, ours
 * against OpenBLAS: a linear layer's forward y = x·Wᵀ (W stored [out, in]), input gradient
 * dX = dY·W and weight gradient dW = dYᵀ·X, for 4096 image rows (64 samples × 64 tokens) or 1024
 * text rows. A shape is "op:m:k:n" with op nt (transB), nn or tn (transA).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class GemmTrainingShapesBenchmark {
    static final int THREADS = 2;

    @Param({"nt:4096:128:128", "nn:4096:128:128", "tn:128:4096:128",
            "nt:4096:128:512", "nn:4096:512:128", "tn:512:4096:128",
            "nt:4096:512:128", "nn:4096:128:512", "tn:128:4096:512",
            "nt:4096:256:256", "nn:4096:256:256", "tn:256:4096:256",
            "nt:1024:128:128", "tn:128:1024:128"})
    public String shape;

    @Param({"ours", "openblas"})
    public String variant;

    private int m, n, k;
    private boolean transA, transB;
    private Arena arena;
    private KernelPool pool;
    private Kernels ours;
    private MatmulShape matmul;
    private MemorySegment a, b, c;
    private FloatPointer pa, pb, pc;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split(":");
        m = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        n = Integer.parseInt(p[3]);
        transA = p[0].equals("tn");
        transB = p[0].equals("nt");
        float[] av = random((long) m * k, 1), bv = random((long) k * n, 2);
        switch (variant) {
            case "ours" -> {
                arena = Arena.ofShared();
                a = arena.allocateFrom(ValueLayout.JAVA_FLOAT, av);
                b = arena.allocateFrom(ValueLayout.JAVA_FLOAT, bv);
                c = arena.allocate((long) m * n * Float.BYTES, 64);
                pool = new KernelPool(THREADS);
                ours = new VectorKernels(pool);
                matmul = new MatmulShape(1, m, n, k, transA, transB, (long) m * k, (long) k * n, (long) m * n, false);
            }
            case "openblas" -> {
                openblas.blas_set_num_threads(THREADS);
                pa = new FloatPointer(av);
                pb = new FloatPointer(bv);
                pc = new FloatPointer((long) m * n);
            }
            default -> throw new IllegalArgumentException("variant must be ours or openblas, got " + variant);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) pool.close();
        if (arena != null) arena.close();
        for (FloatPointer p : new FloatPointer[] {pa, pb, pc}) if (p != null) p.close();
    }

    @Benchmark
    public void multiply() {
        if (ours != null) {
            ours.matmul(matmul, a, b, c);
        } else {
            openblas.cblas_sgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                    transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, 1f, pa, transA ? m : k, pb, transB ? k : n, 0f, pc, n);
        }
    }

    private static float[] random(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        return v;
    }

    /** Runs JMH (same options as its Main) and prints GFLOP/s per shape with the ours / OpenBLAS ratio. */
    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = JmhRuns.run(args);
        if (results.isEmpty()) return;
        var table = new TreeMap<String, TreeMap<String, Double>>();
        for (RunResult r : results) {
            String s = r.getParams().getParam("shape");
            String[] p = s.split(":");
            double flops = 2.0 * Long.parseLong(p[1]) * Long.parseLong(p[2]) * Long.parseLong(p[3]);
            table.computeIfAbsent(s, x -> new TreeMap<>()).put(r.getParams().getParam("variant"), flops / (r.getPrimaryResult().getScore() * 1e3));
        }
        System.out.println("\nGFLOP/s (training shapes op:m:k:n, " + THREADS + " threads)");
        table.forEach((s, row) -> System.out.printf("%-18s ours %6.1f  openblas %6.1f  ratio %.2f%n", s,
                row.getOrDefault("ours", Double.NaN), row.getOrDefault("openblas", Double.NaN),
                row.getOrDefault("ours", Double.NaN) / row.getOrDefault("openblas", Double.NaN)));
    }
}
