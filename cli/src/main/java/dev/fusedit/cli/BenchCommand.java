package dev.fusedit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `fusedit bench ...`: measurements against peers (measured in the same process) and limits, and real-size models. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: kernels against OpenBLAS and memory bandwidth, real-size models with synthetic weights.",
        subcommands = {BenchGemmCommand.class, BenchKernelsCommand.class, BenchTrainStepCommand.class, BenchGemmaCommand.class,
                BenchFuseDiTCommand.class, BenchSampleCommand.class, BenchDenoiseStepCommand.class, BenchServeCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
