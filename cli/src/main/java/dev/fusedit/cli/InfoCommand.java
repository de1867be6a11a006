package dev.fusedit.cli;

import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.VectorWidth;
import picocli.CommandLine.Command;

/** Prints what this JVM and machine give the kernels: JDK, cores, vector width, provider. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the JDK, CPU cores, vector width and kernel provider in use.")
final class InfoCommand implements Runnable {
    @Override
    public void run() {
        System.out.printf("java      %s (%s)%n", Runtime.version(), System.getProperty("java.vm.name"));
        System.out.printf("cores     %d%n", Runtime.getRuntime().availableProcessors());
        System.out.printf("vector    %s (%d float lanes)%n", VectorWidth.describe(), VectorWidth.LANES);
        System.out.printf("kernels   %s%n", KernelProvider.current().name());
    }
}
