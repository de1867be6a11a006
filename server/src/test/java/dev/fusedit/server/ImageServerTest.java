package dev.fusedit.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.GeneratedImage;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.model.pipeline.SampleOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Every route of a running server over real HTTP, against the library's own images. */
class ImageServerTest {
    private static final String PROMPT = "a red circle left of a blue square";
    private static ServedModel model;
    private static FuseDiTPipeline library;
    private static ImageServer server;
    private static ServerClient client;

    @BeforeAll
    static void start() throws IOException {
        model = BundledModel.load();
        library = FuseDiTPipeline.load(BundledModel.FOLDER);
        server = ImageServer.start(model, ServerOptions.defaults().withAddress("127.0.0.1", 0));
        client = new ServerClient(server.uri());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.close();
        model.close();
        library.close();
    }

    /** What the library makes for one prompt: image k from seed + k, as `fusedit sample --seed`. */
    static List<RgbImage> libraryImages(FuseDiTPipeline pipe, String prompt, long seed, int n, int steps) {
        SampleOptions opts = SampleOptions.defaults().withSeed(seed).withImagesPerPrompt(n).withSteps(steps);
        return pipe.generate(List.of(prompt), opts).stream().map(GeneratedImage::image).toList();
    }

    static RgbImage decode(byte[] png) throws IOException {
        return RgbImage.fromBufferedImage(ImageIO.read(new ByteArrayInputStream(png)));
    }

    @Test
    void b64ResultsAreTheLibrarysPixelsForTheSameSeeds() throws IOException {
        HttpResponse<String> r = client.post("{\"prompt\": \"" + PROMPT + "\", \"n\": 2, \"seed\": 11, \"steps\": 4}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = ServerClient.json(r);
        assertThat(body.get("model").asText()).isEqualTo("shapes-tiny");
        assertThat(body.get("size").asText()).isEqualTo("32x32");
        List<RgbImage> expected = libraryImages(library, PROMPT, 11, 2, 4);
        assertThat(body.get("data")).hasSize(2);
        for (int k = 0; k < 2; k++) {
            JsonNode image = body.get("data").get(k);
            assertThat(image.get("seed").asLong()).isEqualTo(11 + k);
            RgbImage got = decode(Base64.getDecoder().decode(image.get("b64_json").asText()));
            assertThat(got.width()).isEqualTo(32);
            assertThat(got.pixels()).isEqualTo(expected.get(k).pixels());
        }
    }

    @Test
    void urlResultsAreServedOnceMadeAndNothingElseIs() throws IOException {
        HttpResponse<String> r = client.post("{\"prompt\": \"a green triangle\", \"seed\": 3, \"steps\": 3, \"response_format\": \"url\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        String url = ServerClient.json(r).get("data").get(0).get("url").asText();
        assertThat(url).startsWith(server.uri().toString() + "v1/images/").endsWith(".png");
        HttpResponse<byte[]> png = client.getBytes(url);
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(decode(png.body()).pixels()).isEqualTo(libraryImages(library, "a green triangle", 3, 1, 3).getFirst().pixels());

        for (String path : List.of("/v1/images/0123456789abcdef0123456789abcdef.png", "/v1/images/..%2F..%2Fpom.xml",
                "/v1/images/%2Fetc%2Fpasswd.png", "/v1/images/../../pom.xml")) {
            HttpResponse<String> missing = client.get(path);
            assertThat(missing.statusCode()).as(path).isEqualTo(404);
            assertThat(ServerClient.json(missing).get("error").get("message").asText()).as(path).isNotBlank();
        }
    }

    @Test
    void streamedRequestsReportEachStepThenEachImageThenDone() throws IOException {
        HttpResponse<String> r = client.post("{\"prompt\": \"two blue squares\", \"n\": 2, \"seed\": 5, \"steps\": 3, \"stream\": true}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<ServerClient.Event> events = ServerClient.events(r.body());
        List<String> names = events.stream().map(ServerClient.Event::name).toList();
        assertThat(names).containsExactly("queued", "progress", "progress", "progress",
                "image_generation.completed", "image_generation.completed", "done");
        JsonNode last = events.get(3).data();
        assertThat(last.get("step").asInt()).isEqualTo(3);
        assertThat(last.get("steps").asInt()).isEqualTo(3);
        assertThat(last.get("eta_seconds").asDouble()).isEqualTo(0.0);
        List<RgbImage> expected = libraryImages(library, "two blue squares", 5, 2, 3);
        for (int k = 0; k < 2; k++) {
            JsonNode image = events.get(4 + k).data();
            assertThat(image.get("index").asInt()).isEqualTo(k);
            assertThat(decode(Base64.getDecoder().decode(image.get("b64_json").asText())).pixels()).isEqualTo(expected.get(k).pixels());
        }
    }

    @Test
    void badRequestsGet400NamingTheFieldAndTheServerCarriesOn() {
        record Bad(String body, String param) {}
        List<Bad> bad = List.of(new Bad("{}", "prompt"), new Bad("{\"prompt\": \"\"}", "prompt"), new Bad("{\"prompt\": \"a\", \"n\": 11}", "n"),
                new Bad("{\"prompt\": \"a\", \"size\": \"33x33\"}", "size"), new Bad("{\"prompt\": \"a\", \"colour\": \"red\"}", "colour"),
                new Bad("not json at all", null), new Bad("{\"prompt\": \"" + "x".repeat(70_000) + "\"}", null));
        for (Bad b : bad) {
            HttpResponse<String> r = client.post(b.body());
            assertThat(r.statusCode()).as(b.body()).isEqualTo(400);
            JsonNode error = ServerClient.json(r).get("error");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.get("param").isNull() ? null : error.get("param").asText()).as(b.body()).isEqualTo(b.param());
            assertThat(error.get("message").asText()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(client.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(client.get("/no/such/route").statusCode()).isEqualTo(404);
    }

    @Test
    void modelsHealthAndMetricsDescribeTheServer() {
        JsonNode models = ServerClient.json(client.get("/v1/models"));
        assertThat(models.get("data").get(0).get("id").asText()).isEqualTo("shapes-tiny");
        assertThat(ServerClient.json(client.get("/healthz")).get("status").asText()).isEqualTo("ok");

        double before = ServerClient.metric(client.get("/metrics").body(), "fusedit_images_served_total");
        assertThat(client.post("{\"prompt\": \"a circle\", \"n\": 3, \"steps\": 2}").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = client.get("/metrics");
        assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String text = metrics.body();
        assertThat(ServerClient.metric(text, "fusedit_images_served_total")).isEqualTo(before + 3);
        assertThat(ServerClient.metric(text, "fusedit_step_seconds_count")).isGreaterThanOrEqualTo(2);
        assertThat(text).contains("# TYPE fusedit_queue_requests gauge", "# TYPE fusedit_requests_served_total counter",
                "# TYPE fusedit_step_seconds summary");
    }

    @Test
    void thePageAndItsAssetsComeFromTheJar() {
        HttpResponse<String> page = client.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"/app.js\">").doesNotContain("https://");
        assertThat(client.get("/app.js").body()).contains("/v1/images/generations");
        assertThat(client.get("/style.css").statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatDisconnectsCancelsItsJob() throws Exception {
        try (ServedModel m = BundledModel.load(); ImageServer s = ImageServer.start(m, ServerOptions.defaults().withAddress("127.0.0.1", 0))) {
            ServerClient c = new ServerClient(s.uri());
            String body = "{\"prompt\": \"a red circle\", \"n\": 10, \"steps\": 200}";
            try (Socket socket = new Socket("127.0.0.1", s.uri().getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                waitFor(() -> ServerClient.metric(c.get("/metrics").body(), "fusedit_step_seconds_count") >= 1);
            }
            waitFor(() -> ServerClient.metric(c.get("/metrics").body(), "fusedit_queue_requests") == 0);
            String metrics = c.get("/metrics").body();
            assertThat(metrics).contains("fusedit_errors_total{kind=\"cancelled\"} 1");
            assertThat(ServerClient.metric(metrics, "fusedit_images_served_total")).isZero();
            assertThat(ServerClient.metric(metrics, "fusedit_step_seconds_count")).isLessThan(200);
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndATimeoutAnswers504() throws Exception {
        ServerOptions opts = ServerOptions.defaults().withAddress("127.0.0.1", 0).withQueue(1).withRequestTimeout(Duration.ofMillis(1500));
        try (ServedModel m = BundledModel.load(); ImageServer s = ImageServer.start(m, opts)) {
            ServerClient c = new ServerClient(s.uri());
            CompletableFuture<HttpResponse<String>> slow = c.postAsync("{\"prompt\": \"a red circle\", \"n\": 10, \"steps\": 200}");
            waitFor(() -> ServerClient.metric(c.get("/metrics").body(), "fusedit_queue_requests") == 1);
            HttpResponse<String> refused = c.post("{\"prompt\": \"a blue square\", \"steps\": 2}");
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").get())).isPositive();
            assertThat(ServerClient.json(refused).get("error").get("message").asText()).contains("busy");

            HttpResponse<String> timedOut = slow.get();
            assertThat(timedOut.statusCode()).isEqualTo(504);
            assertThat(ServerClient.json(timedOut).get("error").get("type").asText()).isEqualTo("timeout");
            waitFor(() -> ServerClient.metric(c.get("/metrics").body(), "fusedit_queue_requests") == 0);
            assertThat(c.post("{\"prompt\": \"a blue square\", \"steps\": 2}").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void requestsThatArriveTogetherShareABatchAndKeepTheirPixels() throws Exception {
        ServerOptions opts = ServerOptions.defaults().withAddress("127.0.0.1", 0).withGatherWindow(Duration.ofMillis(500));
        try (ServedModel m = BundledModel.load(); ImageServer s = ImageServer.start(m, opts)) {
            ServerClient c = new ServerClient(s.uri());
            String[] prompts = {"a red circle", "two green triangles", "a blue square above a yellow circle"};
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++)
                sent.add(c.postAsync("{\"prompt\": \"" + prompts[i] + "\", \"n\": 2, \"seed\": " + (100 * i) + ", \"steps\": 4}"));
            // a request with other settings waits for its own batch
            sent.add(c.postAsync("{\"prompt\": \"a red circle\", \"seed\": 1, \"steps\": 5}"));
            for (int i = 0; i < prompts.length; i++) {
                JsonNode data = ServerClient.json(sent.get(i).get()).get("data");
                List<RgbImage> alone = libraryImages(library, prompts[i], 100L * i, 2, 4);
                for (int k = 0; k < 2; k++)
                    assertThat(decode(Base64.getDecoder().decode(data.get(k).get("b64_json").asText())).pixels()).as(prompts[i] + " " + k)
                            .isEqualTo(alone.get(k).pixels());
            }
            assertThat(sent.get(3).get().statusCode()).isEqualTo(200);
            String metrics = c.get("/metrics").body();
            assertThat(ServerClient.metric(metrics, "fusedit_batch_images_count")).isEqualTo(2);
            assertThat(ServerClient.metric(metrics, "fusedit_batch_images_sum")).isEqualTo(7);
        }
    }

    @Test
    void shutdownFinishesTheRunningBatchAndRefusesTheRest() throws Exception {
        try (ServedModel m = BundledModel.load()) {
            ImageServer s = ImageServer.start(m, ServerOptions.defaults().withAddress("127.0.0.1", 0).withMaxBatch(2));
            ServerClient c = new ServerClient(s.uri());
            CompletableFuture<HttpResponse<String>> running = c.postAsync("{\"prompt\": \"a red circle\", \"n\": 2, \"steps\": 60}");
            waitFor(() -> ServerClient.metric(c.get("/metrics").body(), "fusedit_step_seconds_count") >= 1);
            CompletableFuture<HttpResponse<String>> queued = c.postAsync("{\"prompt\": \"a blue square\", \"steps\": 3}");
            waitFor(() -> ServerClient.metric(c.get("/metrics").body(), "fusedit_queue_requests") == 2);
            s.shutdown(Duration.ofSeconds(60));
            assertThat(running.get().statusCode()).isEqualTo(200);
            assertThat(ServerClient.json(running.get()).get("data")).hasSize(2);
            assertThat(queued.get().statusCode()).as(queued.get().body()).isEqualTo(503);
            assertThat(ServerClient.json(queued.get()).get("error").get("message").asText()).contains("shutting down");
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void waitFor(Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not reached in 30 s");
            Thread.sleep(10);
        }
    }
}
