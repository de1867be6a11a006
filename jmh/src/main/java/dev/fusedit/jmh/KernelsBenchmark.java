package dev.fusedit.jmh;

import dev.fusedit.tensor.bench.KernelSuite;
import dev.fusedit.tensor.bench.KernelWorkload;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.VectorKernels;
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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The kernel suite ({@link KernelSuite}: attention, bfloat16-weight GEMM and matvec, RMSNorm,
 * RoPE, GeGLU, softmax, AdamW, and the float32 GEMM and copy they are measured against) on 2
 * threads, one JMH trial per kernel. {@link #main} runs JMH with the usual command-line options
 * and then prints each kernel's rate (GFLOP/s or GB/s of memory traffic) and its ratio to its
 * reference's rate from the same run (see jmh/README.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class KernelsBenchmark {
    static final int THREADS = 2;

    /** A key of {@link KernelSuite#NAMES} (this list must stay the same: JMH needs a constant). */
    @Param({"gemm", "attention-fwd", "attention-bwd", "f32-gemm-nt", "bf16-gemm-nt", "f32-gemm-nn", "bf16-gemm-nn",
            "copy", "copy-jdk", "read", "bf16-matvec", "rmsnorm", "rope", "geglu", "softmax", "adamw"})
    public String kernel;

    private Arena arena;
    private KernelPool pool;
    private Runnable call;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        pool = new KernelPool(THREADS);
        call = KernelSuite.create(kernel, new VectorKernels(pool), arena).call();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public void run() {
        call.run();
    }

    /** Runs JMH (same options as its Main) and prints each kernel's rate and its ratio to its reference. */
    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = JmhRuns.run(args);
        if (results.isEmpty()) return;
        Map<String, Double> secondsPerCall = new LinkedHashMap<>();
        for (RunResult r : results)
            secondsPerCall.put(r.getParams().getParam("kernel"), r.getPrimaryResult().getScore() * 1e-3);
        // the work per call comes from the workload itself (its inputs are allocated and freed again
        // here, which is why this JVM needs --add-modules jdk.incubator.vector as the forks do)
        Map<String, KernelWorkload> workloads = new LinkedHashMap<>();
        try (KernelPool pool = new KernelPool(1)) {
            VectorKernels kernels = new VectorKernels(pool);
            for (String name : KernelSuite.NAMES)
                if (secondsPerCall.containsKey(name))
                    try (Arena arena = Arena.ofShared()) {
                        workloads.put(name, KernelSuite.create(name, kernels, arena));
                    }
        }
        System.out.printf("%n%-38s %10s %8s %18s %7s%n", "kernel (" + THREADS + " threads)", "rate", "unit", "reference", "ratio");
        workloads.forEach((name, w) -> {
            double rate = w.rate(secondsPerCall.get(name));
            KernelWorkload ref = workloads.get(w.reference());
            String refText = ref == null ? "(not run)" : String.format("%s %.1f", w.reference(), ref.rate(secondsPerCall.get(w.reference())));
            String ratio = ref == null ? "" : String.format("%.2f", rate / ref.rate(secondsPerCall.get(w.reference())));
            System.out.printf("%-38s %10.1f %8s %18s %7s%n", w.label(), rate, w.unit(), refText, ratio);
        });
    }
}
