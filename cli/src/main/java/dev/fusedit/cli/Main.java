package dev.fusedit.cli;

import dev.fusedit.tensor.kernels.DeviceKernelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `fusedit` command line: one subcommand per job. */
@Command(name = "fusedit", mixinStandardHelpOptions = true, version = "fusedit 0.1.0",
        description = "FuseDiT text-to-image in Java: train, sample, evaluate and benchmark.",
        subcommands = {InfoCommand.class, TokenizeCommand.class, GenerateCommand.class, InspectCommand.class,
                ParityCommand.class, TrainCommand.class, StudyCommand.class, SampleCommand.class, EvalShapesCommand.class, ShapesSampleCommand.class, ServeCommand.class,
                ConvertCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The CLI with one error policy: mistakes in the user's input (a bad file, a bad option
     * value) print one line "fusedit: ..." and exit 2; a GPU device that failed a kernel (with
     * -Dfusedit.tornado.onFailure=fail) prints one line and exits 1; anything else is a bug and
     * keeps its trace.
     */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException || e instanceof java.io.IOException || e instanceof IllegalArgumentException) {
                cmd.getErr().println("fusedit: " + e.getMessage());
                return 2;
            }
            if (e instanceof DeviceKernelException) {
                cmd.getErr().println("fusedit: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }
}
