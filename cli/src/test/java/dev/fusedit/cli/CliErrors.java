package dev.fusedit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the CLI on arguments it must refuse (exit code 2) and returns what it printed on stderr. */
final class CliErrors {
    private CliErrors() {}

    static String errorOf(String... args) {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute(args)).isEqualTo(2);
        return err.toString();
    }
}
