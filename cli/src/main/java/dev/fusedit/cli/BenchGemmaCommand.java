package dev.fusedit.cli;

import dev.fusedit.cli.bench.GemmaBenchmark;
import dev.fusedit.cli.bench.MachineFacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `fusedit bench gemma`: Gemma-2 2B at real size with synthetic BF16 weights. */
@Command(name = "gemma", mixinStandardHelpOptions = true,
        description = "Load a real-size Gemma-2 2B (synthetic BF16 weights, written once) by mmap; time prefill and KV-cache decoding.")
final class BenchGemmaCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "where the synthetic checkpoint lives (default: ${DEFAULT-VALUE})",
            defaultValue = "${java.io.tmpdir}/fusedit-bench/gemma-2-2b-synthetic")
    Path dir;

    @Option(names = "--prompt-tokens", defaultValue = "256")
    int promptTokens;

    @Option(names = "--decode-tokens", defaultValue = "16")
    int decodeTokens;

    @Option(names = "--prepare-only", description = "only write the synthetic checkpoint")
    boolean prepareOnly;

    @Override
    public Integer call() throws Exception {
        GemmaBenchmark.prepare(dir);
        if (prepareOnly) return 0;
        GemmaBenchmark.Result r = GemmaBenchmark.run(dir, promptTokens, decodeTokens);
        System.out.println("machine        " + MachineFacts.describe());
        System.out.printf("weights        %.2f GB BF16, memory-mapped from %s%n", r.weightBytes() / 1e9, dir);
        System.out.printf("load           %.2f s%n", r.loadSeconds());
        System.out.printf("prefill        %.1f tokens/s (%d-token prompt)%n", r.prefillTokensPerSecond(), promptTokens);
        System.out.printf("decode         %.2f tokens/s; bandwidth limit %.2f tokens/s (%.1f GB/s copy bandwidth) -> %.2fx of the limit%n",
                r.decodeTokensPerSecond(), r.decodeLimitTokensPerSecond(), r.bandwidthBytesPerSecond() / 1e9,
                r.decodeTokensPerSecond() / r.decodeLimitTokensPerSecond());
        System.out.printf("peak RSS       %.2f GB = %.2fx the weight bytes%n", r.peakRssBytes() / 1e9, r.peakRssBytes() / (double) r.weightBytes());
        return 0;
    }
}
