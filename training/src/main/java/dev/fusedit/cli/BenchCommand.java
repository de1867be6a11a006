package dev.fusedit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `fusedit bench ...`: timings of the library's hot paths, comparable with the PyTorch peers in baselines/. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: time a training step (and compare it with the PyTorch peer).",
        subcommands = {BenchTrainStepCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
