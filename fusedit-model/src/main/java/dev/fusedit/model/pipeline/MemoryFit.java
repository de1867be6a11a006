package dev.fusedit.model.pipeline;

import dev.fusedit.model.fusedit.FuseDiTConfig;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Refuses, before anything is loaded or computed, a model or a sampling run that cannot fit in the
 * memory this process can have: the machine's (or its container's) physical memory, which bounds
 * the project's off-heap tensors and mapped weights alike. The estimates are lower bounds (what
 * must be resident at once), so a refusal is certain to be right; work that passes may still be
 * tight. The message gives both numbers.
 */
public final class MemoryFit {
    private MemoryFit() {}

    /** Bytes of physical memory the operating system gives this process (container limits included). */
    public static long available() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getTotalMemorySize();
    }

    /** The weights of a pipeline folder: every safetensors file under it, as stored (sampling keeps them so). */
    public static long weightBytes(Path pipelineFolder) throws IOException {
        try (Stream<Path> files = Files.walk(pipelineFolder)) {
            long sum = 0;
            for (Path f : files.filter(p -> p.toString().endsWith(".safetensors") && Files.isRegularFile(p)).toList()) sum += Files.size(f);
            return sum;
        }
    }

    /**
     * What sampling {@code images} images of height x width in one batch must hold at once beyond
     * the weights: the transformer's activations for the whole batch (doubled by guidance), at least four
     * float32 vectors of the stream's width per token (input, normed, attention output, residual)
     * and the MLP's hidden vector, and the VAE decoder's full-resolution feature map for one image.
     */
    public static long samplingBytes(FuseDiTConfig c, int vaeFactor, int vaeTopChannels, int images, boolean guidance, int height, int width,
                                     int textTokens) {
        long tokensPerImage = (long) (height / vaeFactor / c.patchSize()) * (width / vaeFactor / c.patchSize()) + textTokens;
        long batch = (guidance ? 2L : 1L) * images;
        long width4 = 4L * Math.max(c.ditHiddenSize(), c.base().hiddenSize());
        long perToken = 4 * width4 + 4L * c.base().intermediateSize();
        long transformer = batch * tokensPerImage * perToken;
        long vae = vaeFactor == 1 ? 0 : 4L * vaeTopChannels * height * width;
        return transformer + vae;
    }

    /** Fails naming what and both numbers when needed exceeds {@link #available()} (the CLI prints it as one line). */
    public static void requireFits(String what, long needed) {
        long have = available();
        if (needed > have)
            throw new IllegalArgumentException(what + " needs at least " + gib(needed) + " of memory, this machine gives the process " + gib(have)
                    + " (physical memory); refused before the work starts");
    }

    static String gib(long bytes) {
        return String.format("%.1f GiB", bytes / (double) (1L << 30));
    }
}
