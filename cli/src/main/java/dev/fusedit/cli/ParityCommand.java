package dev.fusedit.cli;

import dev.fusedit.model.parity.ParityCase;
import dev.fusedit.model.parity.ParityResult;
import dev.fusedit.model.parity.ParityRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** `fusedit parity run|check CASE_DIR`: our numbers against a PyTorch dump. */
@Command(name = "parity", mixinStandardHelpOptions = true,
        description = "Compute a parity case's tensors (run) or compare them with its expected.safetensors (check).",
        subcommands = {ParityCommand.Run.class, ParityCommand.Check.class})
final class ParityCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Write every tensor expected.safetensors names, under the same names.")
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "CASE_DIR")
        Path dir;

        @Option(names = "--out", required = true, description = "output .safetensors")
        Path out;

        @Override
        public Integer call() throws Exception {
            var got = ParityRunner.runTo(ParityCase.open(dir), out);
            System.out.printf("wrote %d tensors to %s%n", got.size(), out);
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true, description = "Compare with the case's tolerances; exit code 1 when any tensor is over.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "CASE_DIR")
        Path dir;

        @Override
        public Integer call() throws Exception {
            ParityCase c = ParityCase.open(dir);
            List<ParityResult> results = ParityRunner.check(c);
            System.out.printf("case %s (kind %s)%n", c.name(), c.kind());
            System.out.printf("%-40s %12s %12s  %s%n", "tensor", "error", "limit", "result");
            boolean ok = true;
            for (ParityResult r : results) {
                System.out.printf("%-40s %12.3e %12.1e  %s%s%n", r.tensor(), r.error(), r.limit(),
                        r.pass() ? "ok" : "OVER", r.note().isEmpty() ? "" : " (" + r.note() + ")");
                ok &= r.pass();
            }
            System.out.println(ok ? "all within tolerance" : "some tensors are over their tolerance");
            return ok ? 0 : 1;
        }
    }
}
