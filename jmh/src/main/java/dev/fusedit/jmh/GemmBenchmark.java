package dev.fusedit.jmh;

import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.ScalarKernels;
import dev.fusedit.tensor.kernels.VectorKernels;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
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
 * Square float32 C = A·B on 2 threads: our Vector API GEMM against OpenBLAS (cblas_sgemm through
 * JavaCPP) and EJML, all on the same inputs. The implementation is a parameter (variant) rather
 * than a method so that JMH runs ours and the peers back to back at each size: the machine is shared,
 * so compare the ratios, not the absolute figures. {@link #main} runs JMH with the usual command
 * line options and prints GFLOP/s (see jmh/README.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class GemmBenchmark {
    static final int THREADS = 2;

    @Param({"512", "1024", "2048"})
    public int n;

    /**
     * ours: VectorKernels; openblas: cblas_sgemm; ejml / ejml-mt: CommonOps_FDRM.mult single / multi-threaded.
     * (JMH nests parameters in name order, so "n" < "variant" makes the variants of one size adjacent.)
     */
    @Param({"ours", "openblas", "ejml-mt", "ejml"})
    public String variant;

    private Arena arena;
    private KernelPool pool;
    private Kernels ours;
    private MatmulShape shape;
    private MemorySegment a, b, c;
    private FloatPointer pa, pb, pc;
    private FMatrixRMaj ma, mb, mc;

    @Setup(Level.Trial)
    public void setUp() {
        float[] av = random(n, 1), bv = random(n, 2);
        switch (variant) {
            case "ours" -> {
                arena = Arena.ofShared();
                a = arena.allocateFrom(ValueLayout.JAVA_FLOAT, av);
                b = arena.allocateFrom(ValueLayout.JAVA_FLOAT, bv);
                c = arena.allocate((long) n * n * Float.BYTES, 64);
                pool = new KernelPool(THREADS);
                ours = new VectorKernels(pool);
                shape = MatmulShape.of(n, n, n);
            }
            case "openblas" -> {
                openblas.blas_set_num_threads(THREADS);
                pa = new FloatPointer(av);
                pb = new FloatPointer(bv);
                pc = new FloatPointer((long) n * n);
            }
            case "ejml", "ejml-mt" -> {
                EjmlConcurrency.setMaxThreads(THREADS);
                ma = new FMatrixRMaj(n, n, true, av);
                mb = new FMatrixRMaj(n, n, true, bv);
                mc = new FMatrixRMaj(n, n);
            }
            default -> throw new IllegalArgumentException("variant must be ours, openblas, ejml or ejml-mt, got " + variant);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) pool.close();
        if (arena != null) arena.close();
        for (FloatPointer p : new FloatPointer[]{pa, pb, pc}) if (p != null) p.close();
    }

    @Benchmark
    public void multiply() {
        switch (variant) {
            case "ours" -> ours.matmul(shape, a, b, c);
            case "openblas" -> openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans,
                    n, n, n, 1f, pa, n, pb, n, 0f, pc, n);
            case "ejml" -> CommonOps_FDRM.mult(ma, mb, mc);
            case "ejml-mt" -> CommonOps_MT_FDRM.mult(ma, mb, mc);
            default -> throw new IllegalStateException(variant);
        }
    }

    /**
     * The scalar oracle, only at n = 512 (it runs at well under 1 GFLOP/s). A class of its own so
     * that it does not inherit the size and variant parameters of the outer benchmark.
     */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseTransparentHugePages"})
    @Warmup(iterations = 1, time = 2)
    @Measurement(iterations = 2, time = 2)
    public static class ScalarOracle {
        @Param({"512"})
        public int n;
        private MemorySegment a, b, c;
        private MatmulShape shape;

        @Setup(Level.Trial)
        public void setUp() {
            Arena arena = Arena.ofAuto();
            a = arena.allocateFrom(ValueLayout.JAVA_FLOAT, random(n, 1));
            b = arena.allocateFrom(ValueLayout.JAVA_FLOAT, random(n, 2));
            c = arena.allocate((long) n * n * Float.BYTES);
            shape = MatmulShape.of(n, n, n);
        }

        @Benchmark
        public void multiply() {
            ScalarKernels.F32.matmul(shape, a, b, c);
        }
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n * n];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        return v;
    }

    /** Runs JMH (same options as its Main) and prints GFLOP/s per size, with ours / peer ratios. */
    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = JmhRuns.run(args);
        if (results.isEmpty()) return;
        var table = new TreeMap<Integer, TreeMap<String, Double>>();
        for (RunResult r : results) {
            var params = r.getParams();
            int size = Integer.parseInt(params.getParam("n"));
            String label = params.getBenchmark().contains("ScalarOracle") ? "scalar" : params.getParam("variant");
            double msPerOp = r.getPrimaryResult().getScore();
            table.computeIfAbsent(size, x -> new TreeMap<>()).put(label, 2.0 * size * size * size / (msPerOp * 1e6));
        }
        System.out.println("\nGFLOP/s (square n, " + THREADS + " threads; ratios are ours / peer)");
        table.forEach((size, row) -> {
            StringBuilder line = new StringBuilder("n=" + size + ":");
            row.forEach((label, gflops) -> line.append(String.format("  %s %.1f", label, gflops)));
            Double mine = row.get("ours");
            if (mine != null)
                for (String peer : new String[]{"openblas", "ejml-mt", "ejml"})
                    if (row.containsKey(peer)) line.append(String.format("  ours/%s %.2f", peer, mine / row.get(peer)));
            System.out.println(line);
        });
    }
}
