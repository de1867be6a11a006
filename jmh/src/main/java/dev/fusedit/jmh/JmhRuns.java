package dev.fusedit.jmh;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.util.Collection;
import java.util.List;

/** The start of each benchmark's main: JMH's own command line, run here so that main can summarize the results. */
final class JmhRuns {
    private JmhRuns() {}

    /**
     * Runs the benchmarks args select (JMH's command-line options) and returns their results; for
     * a help or list request, prints what JMH's Main prints and returns no results.
     */
    static Collection<RunResult> run(String[] args) throws Exception {
        CommandLineOptions options = new CommandLineOptions(args);
        if (options.shouldHelp() || options.shouldList() || options.shouldListWithParams() || options.shouldListProfilers()
                || options.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return List.of();
        }
        return new Runner(options).run();
    }
}
