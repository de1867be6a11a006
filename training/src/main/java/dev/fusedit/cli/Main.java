package dev.fusedit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `fusedit` command line: one subcommand per job. */
@Command(name = "fusedit", mixinStandardHelpOptions = true, version = "fusedit 0.1.0",
        description = "FuseDiT text-to-image in Java: train, sample, evaluate and benchmark.",
        subcommands = {InfoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
