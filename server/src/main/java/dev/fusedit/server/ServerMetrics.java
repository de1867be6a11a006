package dev.fusedit.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@code GET /metrics}, written in Prometheus' text format (version 0.0.4). */
public final class ServerMetrics {
    private final AtomicLong queuedRequests = new AtomicLong();
    private final AtomicLong queuedImages = new AtomicLong();
    private final LongAdder requestsServed = new LongAdder();
    private final LongAdder imagesServed = new LongAdder();
    private final DoubleAdder stepSeconds = new DoubleAdder();
    private final LongAdder steps = new LongAdder();
    private final LongAdder batchImages = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    void queue(int requests, int images) {
        queuedRequests.set(requests);
        queuedImages.set(images);
    }

    void served(int images) {
        requestsServed.increment();
        imagesServed.add(images);
    }

    void step(double seconds) {
        stepSeconds.add(seconds);
        steps.increment();
    }

    void batch(int images) {
        batchImages.add(images);
        batches.increment();
    }

    /** One refused or failed request, by kind: bad_request, queue_full, timeout, cancelled, shutting_down, not_found, internal. */
    public void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    public long errors(String kind) {
        LongAdder a = errors.get(kind);
        return a == null ? 0 : a.sum();
    }

    public long imagesServed() {
        return imagesServed.sum();
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        metric(b, "fusedit_queue_requests", "gauge", "requests waiting or running", queuedRequests.get());
        metric(b, "fusedit_queue_images", "gauge", "images waiting for a batch", queuedImages.get());
        metric(b, "fusedit_requests_served_total", "counter", "requests answered with their images", requestsServed.sum());
        metric(b, "fusedit_images_served_total", "counter", "images generated and returned", imagesServed.sum());
        b.append("# HELP fusedit_step_seconds seconds per denoising step of a batch\n# TYPE fusedit_step_seconds summary\n");
        b.append("fusedit_step_seconds_sum ").append(stepSeconds.sum()).append('\n');
        b.append("fusedit_step_seconds_count ").append(steps.sum()).append('\n');
        b.append("# HELP fusedit_batch_images images per denoising batch\n# TYPE fusedit_batch_images summary\n");
        b.append("fusedit_batch_images_sum ").append(batchImages.sum()).append('\n');
        b.append("fusedit_batch_images_count ").append(batches.sum()).append('\n');
        b.append("# HELP fusedit_errors_total requests refused or failed, by kind\n# TYPE fusedit_errors_total counter\n");
        new TreeMap<>(errors).forEach((kind, n) -> b.append("fusedit_errors_total{kind=\"").append(kind).append("\"} ").append(n.sum()).append('\n'));
        return b.toString();
    }

    private static void metric(StringBuilder b, String name, String type, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        b.append(name).append(' ').append(value).append('\n');
    }
}
