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
 * float32 GEMM, memory-bound ones (bfloat16 matvec, row kernels, AdamW) in GB/s of memory
 * traffic against a large copy on the same threads (see {@link CopyBandwidth} for how both are
 * counted). Each memory-bound kernel is timed in alternating blocks with its own copy reference:
 * on a shared machine the bandwidth left over swings by 2x within seconds, and the ratio is only
 * meaningful under the same load. The workloads are {@link KernelSuite}'s, which the JMH
 * KernelsBenchmark runs too.
 */
@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = {"Kernel rates and their ratio to a limit measured in the same run: attention and BF16 GEMM",
                "against our F32 GEMM (GFLOP/s), BF16 matvec and the row kernels against a large copy on the same threads",
                "(GB/s of memory traffic: bytes read, plus bytes written, plus the reads ordinary stores make of lines",
                "they write to that were not read first)."})
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
        try (KernelPool pool = new KernelPool(threads); Arena copyArena = Arena.ofShared()) {
            VectorKernels kernels = new VectorKernels(pool);
            BenchGemmCommand.warmUpJit(kernels);
            KernelSuite.warmUpRowKernels(kernels);
            CopyBandwidth copy = KernelSuite.copyReference(kernels, copyArena);
            double gemm = 0;
            for (String name : KernelSuite.NAMES) {
                try (Arena arena = Arena.ofShared()) {
                    switch (name) {
                        // references measured with the workloads that use them
                        case "read", "f32-gemm-nt", "f32-gemm-nn" -> {}
                        case "gemm" -> {
                            KernelWorkload w = KernelSuite.create(name, kernels, arena);
                            gemm = w.rate(BenchTiming.median(w.call(), BUDGET));
                            row(w.label() + " (reference)", gemm, w.unit(), gemm);
                        }
                        case "copy" -> copyRows(copy);
                        default -> {
                            KernelWorkload w = KernelSuite.create(name, kernels, arena);
                            if (w.reference().equals("gemm")) {
                                row(w.label(), w.rate(BenchTiming.median(w.call(), BUDGET * (name.equals("attention-bwd") ? 3 : 2))), w.unit(), gemm);
                            } else if (w.reference().equals("copy")) {
                                double[] t = BenchTiming.interleavedMedians(w.call(), copy::copy, 2 * BUDGET);
                                row(w.label(), w.rate(t[0]), w.unit(), copy.trafficBytes() / t[1] * 1e-9);
                                if (name.equals("bf16-matvec")) {
                                    // the same against a plain read of as many bytes, a limit it can reach (the copy's it cannot here: see CopyBandwidth.read)
                                    t = BenchTiming.interleavedMedians(w.call(), copy::read, 2 * BUDGET);
                                    row("bf16 matvec vs read (no writes)", w.rate(t[0]), w.unit(), copy.readBytes() / t[1] * 1e-9);
                                }
                            } else {
                                // the bfloat16-weight GEMM against our float32 GEMM on the same shape, timed alternately
                                KernelWorkload twin = KernelSuite.create(w.reference(), kernels, arena);
                                double[] t = BenchTiming.interleavedMedians(w.call(), twin.call(), 2 * BUDGET);
                                row(w.label(), w.rate(t[0]), w.unit(), twin.rate(t[1]));
                            }
                        }
                    }
                }
            }
        }
        return 0;
    }

    /** The copy reference alone, the JDK's copy and a plain read, all against it. */
    private void copyRows(CopyBandwidth copy) {
        double alone = copy.trafficBytes() / BenchTiming.median(copy::copy, BUDGET) * 1e-9;
        row("copy 256 MiB (reference)", alone, "GB/s", alone);
        // for comparison: the JDK's copy (non-temporal stores on CPUs where its copy routine uses them), one thread, read+written
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(copy.readBytes(), 64), dst = arena.allocate(copy.readBytes(), 64);
            src.fill((byte) 1);
            dst.fill((byte) 0);
            double jdk = 2.0 * copy.readBytes() / BenchTiming.median(() -> MemorySegment.copy(src, 0, dst, 0, copy.readBytes()), BUDGET) * 1e-9;
            row("MemorySegment.copy 256 MiB r+w, 1 thread", jdk, "GB/s", alone);
        }
        double read = copy.readBytes() / BenchTiming.median(copy::read, BUDGET) * 1e-9;
        row("read 256 MiB (no writes)", read, "GB/s", alone);
    }

    private void row(String name, double rate, String unit, double reference) {
        if (json)
            System.out.printf(Locale.ROOT, "{\"kernel\":\"%s\",\"rate\":%.2f,\"unit\":\"%s\",\"reference\":%.2f,\"ratio\":%.3f}%n",
                    name, rate, unit, reference, rate / reference);
        else System.out.printf(Locale.ROOT, "%-38s %10.1f %8s %12.1f %7.2f%n", name, rate, unit, reference, rate / reference);
        System.out.flush();
    }
}
