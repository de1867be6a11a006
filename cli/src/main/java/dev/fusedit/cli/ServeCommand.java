package dev.fusedit.cli;

import dev.fusedit.server.ImageServer;
import dev.fusedit.server.ServedModel;
import dev.fusedit.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** `fusedit serve`: the model behind HTTP (server/README.md). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a model over HTTP: POST /v1/images/generations (OpenAI's images API plus seed, steps, guidance, negative_prompt, "
                + "stream), GET /v1/models, /v1/images/{id}.png, /healthz, /metrics, and a web page at /.",
                "Ctrl-C or SIGTERM stops it gracefully: no new requests, the running batch finishes."})
final class ServeCommand implements Callable<Integer> {
    private static final Duration DRAIN = Duration.ofMinutes(2);

    @Option(names = "--model", description = "pipeline folder (default: the bundled models/shapes-tiny)")
    Path model;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 for every interface)")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "port (default ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--max-queue", defaultValue = "64", description = "requests waiting or running at most; more get 429 with Retry-After (default ${DEFAULT-VALUE})")
    int maxQueue;

    @Option(names = "--max-batch", defaultValue = "8", description = "images denoised together at most (default ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--request-timeout", defaultValue = "600", description = "seconds a request may take before it is cancelled with 504 (default ${DEFAULT-VALUE})")
    long requestTimeout;

    @Mixin
    BackendOption backend = new BackendOption();

    @Override
    public Integer call() throws Exception {
        ServerOptions options;
        try {
            ServerOptions d = ServerOptions.defaults();
            options = new ServerOptions(host, port, maxQueue, maxBatch, d.maxImages(), d.maxSide(), d.maxSteps(), Duration.ofSeconds(requestTimeout),
                    d.keptImages(), d.gatherWindow());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        backend.apply();
        Path dir = ModelLocator.model(model);
        try (ServedModel served = ServedModel.load(dir)) {
            ImageServer server;
            try {
                server = ImageServer.start(served, options);
            } catch (RuntimeException e) {
                if (causedBy(e, BindException.class)) throw new CliException(host + ":" + port + " cannot be bound (in use, or not an address of this machine); pass another --port or --host");
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.err.println("fusedit serve: stopping (the running batch finishes)");
                try {
                    server.shutdown(DRAIN);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "fusedit-serve-shutdown"));
            System.err.printf("serving %s at %s (batches of up to %d images, %d requests queued at most); Ctrl-C stops%n",
                    served.id(), server.uri(), maxBatch, maxQueue);
            server.awaitShutdown();
        }
        return 0;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) if (type.isInstance(t)) return true;
        return false;
    }
}
