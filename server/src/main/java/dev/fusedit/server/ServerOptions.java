package dev.fusedit.server;

import java.time.Duration;

/**
 * How a server listens and how much work it takes on.
 *
 * @param host             the address to bind (127.0.0.1 by default: reachable from this machine only)
 * @param port             the port; 0 picks a free one
 * @param maxQueue         requests waiting or running at most; one more is answered 429 with Retry-After
 * @param maxBatch         images denoised together at most (requests that share size, steps, guidance and
 *                         negative prompt are batched)
 * @param maxImages        the largest {@code n} one request may ask for
 * @param maxSide          the largest width or height in pixels a request may ask for (and never more than 4x the model's size)
 * @param maxSteps         the most denoising steps a request may ask for
 * @param requestTimeout   a request not finished by then is cancelled and answered 504
 * @param keptImages       images kept for {@code GET /v1/images/{id}.png} (the oldest are dropped first)
 * @param gatherWindow     how long an idle server waits after a request arrives for others to batch with it
 */
public record ServerOptions(String host, int port, int maxQueue, int maxBatch, int maxImages, int maxSide, int maxSteps,
                            Duration requestTimeout, int keptImages, Duration gatherWindow) {
    public ServerOptions {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host must be given");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0-65535, got " + port);
        if (maxQueue < 1) throw new IllegalArgumentException("max queue must be at least 1, got " + maxQueue);
        if (maxBatch < 1) throw new IllegalArgumentException("max batch must be at least 1, got " + maxBatch);
        if (maxImages < 1) throw new IllegalArgumentException("max images per request must be at least 1, got " + maxImages);
        if (maxSide < 1) throw new IllegalArgumentException("max side must be at least 1, got " + maxSide);
        if (maxSteps < 1) throw new IllegalArgumentException("max steps must be at least 1, got " + maxSteps);
        if (requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("request timeout must be positive");
        if (keptImages < 1) throw new IllegalArgumentException("kept images must be at least 1, got " + keptImages);
        if (gatherWindow.isNegative()) throw new IllegalArgumentException("gather window must not be negative");
    }

    /** 127.0.0.1:8080, 64 requests queued, batches of 8 images, n ≤ 10 (OpenAI's limit), sides ≤ 1024, ≤ 200 steps, 10 minutes a request, 1,000 images kept, 20 ms gathering. */
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, 64, 8, 10, 1024, 200, Duration.ofMinutes(10), 1000, Duration.ofMillis(20));
    }

    public ServerOptions withAddress(String h, int p) {
        return new ServerOptions(h, p, maxQueue, maxBatch, maxImages, maxSide, maxSteps, requestTimeout, keptImages, gatherWindow);
    }

    public ServerOptions withQueue(int q) {
        return new ServerOptions(host, port, q, maxBatch, maxImages, maxSide, maxSteps, requestTimeout, keptImages, gatherWindow);
    }

    public ServerOptions withMaxBatch(int b) {
        return new ServerOptions(host, port, maxQueue, b, maxImages, maxSide, maxSteps, requestTimeout, keptImages, gatherWindow);
    }

    public ServerOptions withRequestTimeout(Duration t) {
        return new ServerOptions(host, port, maxQueue, maxBatch, maxImages, maxSide, maxSteps, t, keptImages, gatherWindow);
    }

    public ServerOptions withGatherWindow(Duration w) {
        return new ServerOptions(host, port, maxQueue, maxBatch, maxImages, maxSide, maxSteps, requestTimeout, keptImages, w);
    }
}
