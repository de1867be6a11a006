package dev.fusedit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `fusedit bench ...`: measurements against peers and limits, for users and for the closing notes. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: kernels against peers and limits, real-size models.",
        subcommands = {BenchGemmaCommand.class, BenchFuseDiTCommand.class, BenchSampleCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
