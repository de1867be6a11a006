package dev.fusedit.cli;

import dev.fusedit.cli.bench.MachineFacts;
import dev.fusedit.server.ImageServer;
import dev.fusedit.server.ServedModel;
import dev.fusedit.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;

/**
 * `fusedit bench serve`: what request batching buys. The same burst of concurrent one-image
 * requests is sent to a server that denoises one image at a time and to one that batches; runs
 * alternate so both see the same machine, and the ratio is taken per pair.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Images/s of `fusedit serve` for a burst of concurrent one-image requests, --max-batch 1 against --max-batch B, alternating runs.")
final class BenchServeCommand implements Callable<Integer> {
    @Option(names = "--model", description = "pipeline folder (default: the bundled models/shapes-tiny)")
    Path model;

    @Option(names = "--requests", defaultValue = "32", description = "concurrent one-image requests per run (default ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--max-batch", defaultValue = "8", description = "the batching server's --max-batch (default ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--steps", defaultValue = "25", description = "denoising steps per request (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--runs", defaultValue = "3", description = "pairs of runs (default ${DEFAULT-VALUE})")
    int runs;

    @Override
    public Integer call() throws Exception {
        if (requests < 1 || maxBatch < 1 || steps < 1 || runs < 1) throw new CliException("--requests, --max-batch, --steps and --runs must be at least 1");
        double[] alone = new double[runs], batched = new double[runs], ratio = new double[runs];
        try (ServedModel served = ServedModel.load(ModelLocator.model(model))) {
            burst(served, 1, 2); // warm-up: JIT, memory pools
            for (int r = 0; r < runs; r++) {
                alone[r] = burst(served, 1, requests);
                batched[r] = burst(served, maxBatch, requests);
                ratio[r] = batched[r] / alone[r];
                System.out.printf("run %d: max-batch 1 %.1f images/s, max-batch %d %.1f images/s, ratio %.2f%n", r + 1, alone[r], maxBatch, batched[r], ratio[r]);
            }
            System.out.println("machine   " + MachineFacts.describe());
            System.out.printf("model %s, %d concurrent one-image requests of %d steps, guidance 6%n", served.id(), requests, steps);
            System.out.printf("median    max-batch 1 %.1f images/s, max-batch %d %.1f images/s, batching buys %.2fx%n", BenchTiming.median(alone), maxBatch, BenchTiming.median(batched), BenchTiming.median(ratio));
        }
        return 0;
    }

    /** Images/s for one burst of concurrent requests on a fresh server with that batch limit. */
    private double burst(ServedModel served, int batch, int count) throws Exception {
        ServerOptions opts = ServerOptions.defaults().withAddress("127.0.0.1", 0).withMaxBatch(batch).withQueue(Math.max(64, count));
        try (ImageServer server = ImageServer.start(served, opts)) {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = server.uri().resolve("/v1/images/generations");
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String body = "{\"prompt\": \"a red circle left of a blue square\", \"seed\": " + i + ", \"steps\": " + steps + "}";
                sent.add(http.sendAsync(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : sent)
                if (f.get().statusCode() != 200) throw new CliException("a benchmark request failed: " + f.get().body());
            return count / ((System.nanoTime() - start) / 1e9);
        }
    }
}
