package dev.fusedit.cli;

import dev.fusedit.tensor.bench.CopyBandwidth;
import dev.fusedit.tensor.bench.KernelSuite;
import dev.fusedit.tensor.bench.KernelWorkload;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.VectorKernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * `fusedit bench kernels`: each kernel's rate against the limit that bounds it, both measured in
 * the same run: compute-bound kernels (attention, bfloat16-weight GEMM) in GFLOP/s against our
 * float32 GEMM, memory-bound ones (row kernels, AdamW) in GB/s of memory traffic against a large
 * copy with ordinary stores on the same threads, and the read-only bfloat16 matvec against the
 * JDK's copy counted as bytes read + written (see {@link CopyBandwidth} for how each is counted).
 * Every kernel is timed in alternating blocks with its reference: on a shared machine the
 * bandwidth and cores left over swing by 2x within seconds, and the ratio is only meaningful under
 * the same load. The workloads are {@link KernelSuite}'s, which the JMH KernelsBenchmark runs too.
 */
@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = {"Kernel rates and their ratio to a limit measured in the same run: attention and BF16 GEMM",
                "against our F32 GEMM (GFLOP/s), the row kernels against a large copy on the same threads (GB/s of",
                "memory traffic: bytes read, plus bytes written, plus the reads ordinary stores make of lines they write",
                "to that were not read first), the BF16 matvec against the JDK's copy (bytes read + written)."})
final class BenchKernelsCommand implements Callable<Integer> {
    /** Seconds per measurement: the whole command stays under a minute. */
    private static final double BUDGET = 1.2;

    @Option(names = "--json", description = "one JSON object per line instead of a table")
    boolean json;

    @Option(names = "--threads", defaultValue = "2", description = "kernel threads (default ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() {
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        if (!json) {
            System.out.println(BenchTiming.machineLine(threads));
            System.out.printf("%-38s %10s %8s %12s %7s%n", "kernel", "rate", "unit", "reference", "ratio");
        }
        try (KernelPool pool = new KernelPool(threads); Arena referenceArena = Arena.ofShared()) {
            VectorKernels kernels = new VectorKernels(pool);
            BenchGemmCommand.warmUpJit(kernels);
            KernelSuite.warmUpKernels(kernels, 4);
            CopyBandwidth copy = KernelSuite.copyReference(kernels, referenceArena);
            KernelWorkload gemm = KernelSuite.create("gemm", kernels, referenceArena);
            for (String name : KernelSuite.NAMES) {
                try (Arena arena = Arena.ofShared()) {
                    switch (name) {
                        // references measured with the workloads that use them
                        case "copy-jdk", "read", "f32-gemm-nt", "f32-gemm-nn" -> {}
                        case "gemm" -> {
                            double rate = gemm.rate(BenchTiming.median(gemm.call(), BUDGET));
                            row(gemm.label() + " (reference)", rate, gemm.unit(), rate);
                        }
                        case "copy" -> copyRows(copy);
                        default -> {
                            KernelWorkload w = KernelSuite.create(name, kernels, arena);
                            // the GEMM, a copy reference, or the float32 twin of a bfloat16-weight GEMM
                            KernelWorkload limit = w.reference().equals("gemm") ? gemm
                                    : w.bound() == KernelWorkload.Bound.MEMORY ? KernelSuite.copyWorkload(w.reference(), copy)
                                    : KernelSuite.create(w.reference(), kernels, arena);
                            compare(w.label(), w, limit, BUDGET * (name.equals("attention-bwd") ? 3 : 2));
                            // the matvec also against a plain read of as many bytes (see CopyBandwidth.read for how it compares with a copy here)
                            if (name.equals("bf16-matvec"))
                                compare("bf16 matvec vs read (no writes)", w, KernelSuite.copyWorkload("read", copy), 2 * BUDGET);
                        }
                    }
                }
            }
        }
        return 0;
    }

    /**
     * One row: w and its limit timed in alternating blocks, so that a busy spell on this shared
     * machine slows both.
     */
    private void compare(String label, KernelWorkload w, KernelWorkload limit, double budget) {
        double[] t = BenchTiming.interleavedMedians(w.call(), limit.call(), budget);
        row(label, w.rate(t[0]), w.unit(), limit.rate(t[1]));
    }

    /** The copy references alone, each against the ordinary-store copy. */
    private void copyRows(CopyBandwidth copy) {
        double alone = 0;
        for (String name : new String[] {"copy", "copy-jdk", "read"}) {
            KernelWorkload w = KernelSuite.copyWorkload(name, copy);
            double rate = w.rate(BenchTiming.median(w.call(), BUDGET));
            if (name.equals("copy")) alone = rate;
            row(w.label() + (name.equals("copy") ? " (reference)" : ""), rate, w.unit(), alone);
        }
    }

    private void row(String name, double rate, String unit, double reference) {
        if (json)
            System.out.printf(Locale.ROOT, "{\"kernel\":\"%s\",\"rate\":%.2f,\"unit\":\"%s\",\"reference\":%.2f,\"ratio\":%.3f}%n",
                    name, rate, unit, reference, rate / reference);
        else System.out.printf(Locale.ROOT, "%-38s %10.1f %8s %12.1f %7.2f%n", name, rate, unit, reference, rate / reference);
        System.out.flush();
    }
}
