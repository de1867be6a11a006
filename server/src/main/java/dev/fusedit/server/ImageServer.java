package dev.fusedit.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.model.pipeline.GeneratedImage;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The image-generation server: one {@link ServedModel}, its {@link Generator}, and the HTTP routes
 * on Javalin (Jetty 12, a virtual thread per request):
 * <pre>
 * POST /v1/images/generations   OpenAI's images API (+ seed, steps, guidance, negative_prompt); "stream": true answers with progress events
 * GET  /v1/models               the served model
 * GET  /v1/images/{id}.png      an image of a "url" result
 * GET  /healthz, /metrics       liveness; Prometheus text
 * GET  /                        the web page (assets from the jar)
 * </pre>
 * <pre>{@code
 * try (ServedModel model = ServedModel.load(Path.of("models/shapes-tiny"));
 *      ImageServer server = ImageServer.start(model, ServerOptions.defaults().withAddress("127.0.0.1", 0))) {
 *     System.out.println(server.uri());
 *     server.awaitShutdown();
 * }
 * }</pre>
 */
public final class ImageServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(10);

    private final ServedModel model;
    private final ServerOptions options;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Generator generator;
    private final ImageStore store;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Javalin app;
    private volatile boolean stopping;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private ImageServer(ServedModel model, ServerOptions options) {
        this.model = model;
        this.options = options;
        this.generator = new Generator(model, options, metrics);
        this.store = new ImageStore(options.keptImages());
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = GenerationRequest.MAX_BODY_BYTES;
            config.routes.get("/", ctx -> page(ctx, "index.html", "text/html; charset=utf-8"));
            config.routes.get("/app.js", ctx -> page(ctx, "app.js", "text/javascript; charset=utf-8"));
            config.routes.get("/style.css", ctx -> page(ctx, "style.css", "text/css; charset=utf-8"));
            config.routes.get("/healthz", this::health);
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render()));
            config.routes.get("/v1/models", this::models);
            config.routes.get("/v1/images/{file}", this::image);
            config.routes.post("/v1/images/generations", this::generate);
            config.routes.error(404, "*", ctx -> {
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith("application/json")) error(ctx, 404, "not_found", null, "no route " + ctx.method() + " " + ctx.path());
            });
            config.routes.error(405, "*", ctx -> error(ctx, 405, "invalid_request_error", null, "method " + ctx.method() + " is not allowed on " + ctx.path()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                metrics.error("internal");
                error(ctx, 500, "server_error", null, "internal error: " + e);
            });
        });
    }

    /** Starts a server on {@code options}' address; {@link #uri()} says where it listens. */
    public static ImageServer start(ServedModel model, ServerOptions options) {
        ImageServer server = new ImageServer(model, options);
        server.app.start(options.host(), options.port());
        return server;
    }

    public URI uri() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + app.port() + "/");
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /**
     * Stops gracefully (what SIGTERM does): new requests get 503, queued ones are answered 503, the
     * running batch finishes and its responses are written (waiting up to {@code wait}), then the
     * HTTP server stops.
     */
    public void shutdown(Duration wait) throws InterruptedException {
        if (stopping) return;
        stopping = true;
        long deadline = System.nanoTime() + wait.toNanos();
        generator.shutdown(wait);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        app.stop();
        stopped.countDown();
    }

    /** Blocks until {@link #shutdown} has stopped the server. */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() throws InterruptedException {
        shutdown(Duration.ofSeconds(30));
    }

    private void generate(Context ctx) throws IOException, InterruptedException {
        inFlight.incrementAndGet();
        try {
            GenerationRequest request = GenerationRequest.parse(body(ctx), model, options);
            ImageJob job;
            try {
                job = generator.submit(request, request.stream() ? new QueuedEvents() : JobEvents.NONE);
            } catch (Generator.QueueFullException e) {
                metrics.error("queue_full");
                ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
                error(ctx, 429, "rate_limit_exceeded", null, e.getMessage());
                return;
            } catch (Generator.ShuttingDownException e) {
                metrics.error("shutting_down");
                error(ctx, 503, "server_error", null, e.getMessage());
                return;
            }
            ClientDisconnect.watch(ctx, () -> {
                if (!job.result().isDone()) metrics.error("cancelled");
                generator.cancel(job, new CancellationException("the client disconnected"));
            });
            if (request.stream()) stream(ctx, job);
            else answer(ctx, job);
        } catch (BadRequestException e) {
            metrics.error("bad_request");
            error(ctx, 400, "invalid_request_error", e.param(), e.getMessage());
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** The request body, refused unread when it claims or turns out to be larger than the limit. */
    private static byte[] body(Context ctx) throws IOException {
        long claimed = ctx.req().getContentLengthLong();
        int limit = GenerationRequest.MAX_BODY_BYTES;
        if (claimed > limit) throw new BadRequestException(null, "the request body is " + claimed + " bytes; at most " + limit + " are accepted");
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) throw new BadRequestException(null, "the request body is over " + limit + " bytes; at most " + limit + " are accepted");
            return body;
        }
    }

    private void answer(Context ctx, ImageJob job) throws InterruptedException {
        List<GeneratedImage> images;
        try {
            images = job.result().get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            timedOut(job);
            error(ctx, 504, "timeout", null, timeoutMessage());
            return;
        } catch (CancellationException | ExecutionException e) {
            Throwable cause = job.failure();
            if (cause instanceof CancellationException c) cancelled(ctx, c);
            else error(ctx, 500, "server_error", null, "generation failed: " + cause);
            return;
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("created", System.currentTimeMillis() / 1000);
        describe(body, job.request());
        ArrayNode data = body.putArray("data");
        for (GeneratedImage image : images) data.add(imageJson(ctx, job.request(), image));
        respond(ctx, 200, "application/json", body.toString());
    }

    /** "stream": true — queued, progress (step i of N, ETA), one event per image, then done or error. */
    private void stream(Context ctx, ImageJob job) throws InterruptedException {
        QueuedEvents events = (QueuedEvents) job.events;
        ctx.status(200).contentType("text/event-stream").header("Cache-Control", "no-cache");
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        try {
            EventStream out = new EventStream(ctx.res().getOutputStream());
            out.send("queued", JSON.createObjectNode().put("requests_ahead", Math.max(0, generator.openRequests() - 1)).toString());
            while (true) {
                Object event = events.queue.poll(Math.min(KEEP_ALIVE.toNanos(), Math.max(1, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
                if (event instanceof ObjectNode progress) {
                    out.send("progress", progress.toString());
                } else if (event instanceof ImageEvent image) {
                    ObjectNode json = imageJson(ctx, job.request(), image.image()).put("index", image.index());
                    out.send("image_generation.completed", json.toString());
                } else if (job.result().isDone() && events.queue.isEmpty()) {
                    out.send(outcomeEvent(job), outcomeJson(job).toString());
                    return;
                } else if (System.nanoTime() >= deadline) {
                    timedOut(job);
                    out.send("error", errorJson("timeout", null, timeoutMessage()).toString());
                    return;
                } else if (event == null) {
                    out.keepAlive();
                }
            }
        } catch (IOException e) {
            if (!job.result().isDone()) metrics.error("cancelled");
            generator.cancel(job, new CancellationException("the client disconnected"));
        }
    }

    private String outcomeEvent(ImageJob job) {
        return job.result().state() == Future.State.SUCCESS ? "done" : "error";
    }

    private ObjectNode outcomeJson(ImageJob job) {
        if (job.result().state() == Future.State.SUCCESS) {
            ObjectNode done = JSON.createObjectNode().put("created", System.currentTimeMillis() / 1000);
            describe(done, job.request());
            return done;
        }
        Throwable cause = job.failure();
        if (cause instanceof CancellationException) return errorJson(cause instanceof Generator.ShuttingDownException ? "server_error" : "cancelled", null, cause.getMessage());
        return errorJson("server_error", null, "generation failed: " + cause);
    }

    private void describe(ObjectNode body, GenerationRequest r) {
        SamplingSettings s = r.settings();
        body.put("model", model.id()).put("size", s.width() + "x" + s.height()).put("steps", s.steps()).put("guidance", s.guidance());
    }

    private ObjectNode imageJson(Context ctx, GenerationRequest request, GeneratedImage image) {
        byte[] png;
        try {
            png = image.image().toPng();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode json = JSON.createObjectNode();
        if (request.responseFormat() == GenerationRequest.ResponseFormat.URL)
            json.put("url", ctx.scheme() + "://" + ctx.host() + "/v1/images/" + store.put(png) + ".png");
        else json.put("b64_json", Base64.getEncoder().encodeToString(png));
        json.put("seed", image.seed()).put("revised_prompt", request.prompt());
        return json;
    }

    private void timedOut(ImageJob job) {
        metrics.error("timeout");
        generator.cancel(job, new CancellationException(timeoutMessage()));
    }

    private String timeoutMessage() {
        return "the request did not finish within " + options.requestTimeout().toSeconds() + " s (the server's --request-timeout)";
    }

    private void cancelled(Context ctx, CancellationException e) {
        if (e instanceof Generator.ShuttingDownException) error(ctx, 503, "server_error", null, e.getMessage());
        else error(ctx, 499, "cancelled", null, e.getMessage()); // the client has gone; nobody reads this
    }

    private void health(Context ctx) {
        ctx.contentType("application/json").result(JSON.createObjectNode().put("status", stopping ? "stopping" : "ok").put("model", model.id())
                .put("open_requests", generator.openRequests()).toString());
    }

    private void models(Context ctx) {
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        body.putArray("data").addObject().put("id", model.id()).put("object", "model").put("owned_by", "fusedit")
                .put("default_size", model.defaultSize() + "x" + model.defaultSize()).put("default_guidance", model.defaultGuidance());
        ctx.contentType("application/json").result(body.toString());
    }

    private void image(Context ctx) {
        String file = ctx.pathParam("file");
        byte[] png = file.endsWith(".png") ? store.get(file.substring(0, file.length() - 4)) : null;
        if (png == null) {
            metrics.error("not_found");
            error(ctx, 404, "not_found", null, "no image " + file + " (images are kept for the newest " + options.keptImages() + " results)");
            return;
        }
        ctx.contentType("image/png").result(png);
    }

    private static void page(Context ctx, String name, String type) throws IOException {
        try (InputStream in = ImageServer.class.getResourceAsStream("page/" + name)) {
            if (in == null) throw new IOException("page/" + name + " is missing from the jar");
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    private static ObjectNode errorJson(String type, String param, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("message", message).put("type", type).put("param", param).putNull("code");
        return error;
    }

    private static void error(Context ctx, int status, String type, String param, String message) {
        respond(ctx, status, "application/json", errorJson(type, param, message).toString());
    }

    /**
     * Writes the response before the handler returns (Javalin would write a result after it): a
     * stopping server waits for its handlers, and must not close a connection whose answer is
     * still to be written.
     */
    private static void respond(Context ctx, int status, String type, String body) {
        ctx.status(status).contentType(type);
        try {
            OutputStream out = ctx.res().getOutputStream();
            out.write(body.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // the client has gone; there is nobody to answer
        }
    }

    private record ImageEvent(int index, GeneratedImage image) {}

    /** Hands a job's events to the request's thread, which writes them to the client. */
    private static final class QueuedEvents implements JobEvents {
        final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

        @Override
        public void onProgress(int step, int steps, int imagesDone, int images, double etaSeconds) {
            queue.add(JSON.createObjectNode().put("step", step).put("steps", steps).put("images_done", imagesDone).put("images", images)
                    .put("eta_seconds", Math.round(etaSeconds * 10) / 10.0));
        }

        @Override
        public void onImage(int index, GeneratedImage image) {
            queue.add(new ImageEvent(index, image));
        }
    }
}
