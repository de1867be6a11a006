package dev.fusedit.spark.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * `fusedit spark ...`: the Spark jobs as commands. The launcher runs this class from
 * spark/target/fusedit-spark.jar with Spark on the classpath; spark-submit runs it with
 * {@code --class dev.fusedit.spark.cli.SparkMain}.
 */
@Command(name = "fusedit spark", mixinStandardHelpOptions = true, version = "fusedit 0.1.0",
        description = "Jobs on Apache Spark: an embedded local[*] master by default, or the cluster spark-submit names.",
        subcommands = {SparkSampleCommand.class, SparkEvalShapesCommand.class, SparkLatentsCommand.class, CommandLine.HelpCommand.class})
public final class SparkMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Mistakes in the user's input (bad file, bad option) print one line and exit 2, as `fusedit` does; anything else keeps its trace. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SparkMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof java.io.IOException || e instanceof IllegalArgumentException) {
                cmd.getErr().println("fusedit spark: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }
}
