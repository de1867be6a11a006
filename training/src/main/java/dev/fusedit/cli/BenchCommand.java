package dev.fusedit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `fusedit bench`: micro-benchmarks of the kernels against peers measured in the same process. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the kernels: `bench gemm` (against OpenBLAS), `bench kernels` (attention, BF16, row kernels).",
        subcommands = {BenchGemmCommand.class, BenchKernelsCommand.class})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
