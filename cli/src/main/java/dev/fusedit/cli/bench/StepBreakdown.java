package dev.fusedit.cli.bench;

import dev.fusedit.tensor.bench.ProfilingKernels;

/** The --breakdown table of `bench train-step` and `bench denoise-step`: where one profiled step's time went. */
public final class StepBreakdown {
    private StepBreakdown() {}

    /** One profiled step: each kernel's share, and what ran between kernel calls (autograd, copies, allocation). */
    public static void print(ProfilingKernels profile, double stepSeconds, double gemm) {
        System.out.printf("one profiled step: %.1f ms (kernels timed one call at a time)%n", stepSeconds * 1e3);
        System.out.printf("  %-20s %6s %9s %6s %10s %8s%n", "kernel", "calls", "ms", "share", "GFLOP/s", "of gemm");
        profile.byKernel().entrySet().stream().sorted((a, b) -> Double.compare(b.getValue().seconds(), a.getValue().seconds())).forEach(e -> {
            var k = e.getValue();
            double rate = k.flops() / k.seconds();
            System.out.printf("  %-20s %6d %9.1f %5.1f%% %10s %8s%n", e.getKey(), k.calls(), k.seconds() * 1e3, 100 * k.seconds() / stepSeconds,
                    k.flops() > 0 ? String.format("%.0f", rate / 1e9) : "-", k.flops() > 0 ? String.format("%.2f", rate / gemm) : "-");
        });
        System.out.printf("  matmul by shape (batch x m x k x n; At / Bt: stored transposed), slowest first:%n");
        profile.byMatmulShape().entrySet().stream().sorted((a, b) -> Double.compare(b.getValue().seconds(), a.getValue().seconds())).limit(12)
                .forEach(e -> System.out.printf("    %-28s %4d calls %7.1f ms %5.0f GFLOP/s %5.2f of gemm%n", e.getKey(), e.getValue().calls(),
                        e.getValue().seconds() * 1e3, e.getValue().flops() / e.getValue().seconds() / 1e9, e.getValue().flops() / e.getValue().seconds() / gemm));
        double between = stepSeconds - profile.kernelSeconds();
        System.out.printf("  %-20s %6s %9.1f %5.1f%%%n", "between kernels", "", between * 1e3, 100 * between / stepSeconds);
    }
}
