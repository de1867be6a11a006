package dev.fusedit.cli;

import dev.fusedit.tensor.kernels.KernelProvider;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * --backend cpu|tornado|auto, shared by the commands that run the model. cpu = the Vector API
 * kernels; tornado = the TornadoVM provider (fails, saying why, where it cannot run); auto =
 * TornadoVM when its runtime and a device are present, else cpu. tornado and auto print one line
 * naming the provider chosen and why. Without the option the provider stays what
 * -Dfusedit.backend (or -Dfusedit.kernels) chose, cpu by default.
 */
final class BackendOption {
    @Option(names = "--backend", paramLabel = "cpu|tornado|auto",
            description = "kernels: cpu (Vector API), tornado (TornadoVM GPU) or auto (TornadoVM when a device is present, else cpu) (default: -Dfusedit.backend, else cpu)")
    String backend;

    void apply() {
        if (backend == null) return;
        String name = backend.trim().toLowerCase(Locale.ROOT);
        if (!name.equals("cpu") && !name.equals("tornado") && !name.equals("auto"))
            throw new CliException("--backend must be cpu, tornado or auto, got '" + backend + "'");
        KernelProvider.Choice choice;
        try {
            choice = KernelProvider.useBackend(name);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new CliException("--backend " + name + ": " + e.getMessage());
        }
        if (!name.equals("cpu")) System.err.println(choice.logLine());
    }
}
