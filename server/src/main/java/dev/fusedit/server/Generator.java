package dev.fusedit.server;

import dev.fusedit.model.pipeline.GeneratedImage;
import dev.fusedit.model.pipeline.SamplingListener;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one thread that runs the model, and the bounded queue in front of it. Each batch starts
 * from the oldest waiting job and takes, in arrival order, the images of every waiting job with
 * the same {@link SamplingSettings}, up to {@code maxBatch} images; a batch gives each image the
 * pixels it would get alone (FuseDiTPipeline.generateEach). When the server was idle it waits a
 * short gather window first, so that requests arriving together share a batch.
 *
 * <p>A cancelled job leaves the queue at once; a running batch is abandoned at its next step once
 * every job in it is cancelled. {@link #shutdown} takes no more work, cancels what has not started
 * and lets the running batch finish.
 */
public final class Generator implements AutoCloseable {
    /** Refused because {@code maxQueue} requests are waiting or running. */
    public static final class QueueFullException extends RuntimeException {
        private final long retryAfterSeconds;

        QueueFullException(int maxQueue, long retryAfterSeconds) {
            super("the server is busy: " + maxQueue + " requests are queued or running; retry in " + retryAfterSeconds + " s");
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** Refused or cancelled because the server is stopping. */
    public static final class ShuttingDownException extends CancellationException {
        ShuttingDownException() {
            super("the server is shutting down");
        }
    }

    private record Slot(ImageJob job, int index) {}

    private final ServedModel model;
    private final ServerOptions options;
    private final ServerMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ImageJob> waiting = new ArrayDeque<>(); // jobs with unassigned images, oldest first
    private final Thread worker;
    private int open;                 // accepted jobs not yet finished
    private boolean accepting = true;
    private boolean running;          // a batch is on the model
    private double secondsPerImageStep = Double.NaN; // moving estimate, for ETAs and Retry-After

    public Generator(ServedModel model, ServerOptions options, ServerMetrics metrics) {
        this.model = model;
        this.options = options;
        this.metrics = metrics;
        this.worker = Thread.ofPlatform().name("fusedit-generator").daemon().unstarted(this::loop);
        worker.start();
    }

    /** Accepts a request or throws {@link QueueFullException} / {@link ShuttingDownException}. */
    public ImageJob submit(GenerationRequest request, JobEvents events) {
        lock.lock();
        try {
            if (!accepting) throw new ShuttingDownException();
            if (open >= options.maxQueue()) throw new QueueFullException(options.maxQueue(), retryAfterSeconds());
            ImageJob job = new ImageJob(request, events);
            waiting.addLast(job);
            open++;
            metrics.queue(open, waitingImages());
            changed.signalAll();
            return job;
        } finally {
            lock.unlock();
        }
    }

    /** Cancels a job (its client left, or its time ran out): it leaves the queue, and its images are dropped. */
    public void cancel(ImageJob job, CancellationException why) {
        lock.lock();
        try {
            if (job.result.isDone()) return;
            job.cancelled = true;
            waiting.remove(job);
            finish(job);
            job.fail(why);
        } finally {
            lock.unlock();
        }
    }

    /** Requests waiting or running. */
    public int openRequests() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking work: jobs not started are cancelled with {@link ShuttingDownException}, the
     * running batch finishes (waiting up to {@code wait}), and jobs it left half done are cancelled.
     */
    public void shutdown(Duration wait) throws InterruptedException {
        lock.lock();
        try {
            accepting = false;
            for (ImageJob job : List.copyOf(waiting))
                if (job.assigned == 0) cancel(job, new ShuttingDownException());
            long deadline = System.nanoTime() + wait.toNanos();
            while (running && System.nanoTime() < deadline) changed.awaitNanos(deadline - System.nanoTime());
            for (ImageJob job : List.copyOf(waiting)) cancel(job, new ShuttingDownException());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        worker.interrupt();
        worker.join(TimeUnit.SECONDS.toMillis(5));
    }

    @Override
    public void close() throws InterruptedException {
        shutdown(Duration.ZERO);
    }

    private void loop() {
        while (true) {
            List<Slot> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) return;
            run(batch);
        }
    }

    /** Waits for work and takes the next batch; null when shut down. */
    private List<Slot> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (waiting.isEmpty()) {
                if (!accepting) return null;
                changed.await();
            }
            // idle until now: give requests sent together a moment to arrive
            long gather = options.gatherWindow().toNanos();
            while (gather > 0 && accepting && waitingImages() < options.maxBatch()) gather = changed.awaitNanos(gather);
            if (waiting.isEmpty()) return List.of();
            SamplingSettings settings = waiting.peekFirst().request.settings();
            List<Slot> batch = new ArrayList<>();
            for (Iterator<ImageJob> it = waiting.iterator(); it.hasNext() && batch.size() < options.maxBatch(); ) {
                ImageJob job = it.next();
                if (!job.request.settings().equals(settings)) continue;
                while (job.unassigned() > 0 && batch.size() < options.maxBatch()) batch.add(new Slot(job, job.assigned++));
                if (job.unassigned() == 0) it.remove();
            }
            running = true;
            metrics.queue(open, waitingImages());
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void run(List<Slot> batch) {
        if (batch.isEmpty()) return;
        SamplingSettings settings = batch.getFirst().job().request.settings();
        List<String> prompts = new ArrayList<>(batch.size());
        long[] seeds = new long[batch.size()];
        Set<ImageJob> jobs = new LinkedHashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            Slot s = batch.get(i);
            prompts.add(s.job().request.prompt());
            seeds[i] = s.job().request.seedOf(s.index());
            jobs.add(s.job());
        }
        metrics.batch(batch.size());
        long[] last = {System.nanoTime()};
        SamplingListener listener = new SamplingListener() {
            @Override
            public void onStep(int done, int total) {
                long now = System.nanoTime();
                double seconds = (now - last[0]) / 1e9;
                last[0] = now;
                metrics.step(seconds);
                observe(seconds / batch.size());
                if (jobs.stream().allMatch(j -> j.cancelled)) throw new CancellationException("every request in the batch was cancelled");
                for (ImageJob job : jobs) job.events.onProgress(done, total, job.done, job.request.n(), eta(job, total - done, seconds));
            }

            @Override
            public void onWarning(String message) {}
        };
        List<GeneratedImage> images = null;
        RuntimeException failure = null;
        try {
            images = model.generate(prompts, seeds, settings, listener);
        } catch (CancellationException e) {
            failure = e;
        } catch (RuntimeException | OutOfMemoryError e) {
            // the requests of this batch fail; the thread lives on for the next one
            failure = e instanceof RuntimeException r ? r : new IllegalStateException("out of memory: " + e.getMessage()
                    + " (ask for fewer or smaller images, or give the JVM more memory)");
            metrics.error("internal");
        }
        lock.lock();
        try {
            running = false;
            for (int i = 0; i < batch.size(); i++) {
                ImageJob job = batch.get(i).job();
                if (job.result.isDone()) continue;
                if (failure != null) {
                    waiting.remove(job);
                    finish(job);
                    job.fail(failure);
                    continue;
                }
                job.events.onImage(batch.get(i).index(), images.get(i));
                if (job.deliver(batch.get(i).index(), images.get(i))) {
                    finish(job);
                    metrics.served(job.request.n());
                    job.result.complete(job.images());
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Seconds left for a job: its current batch's remaining steps, then its images not yet in a batch. */
    private double eta(ImageJob job, int stepsLeft, double secondsPerStep) {
        int later = job.unassigned();
        double perImageStep = Double.isNaN(secondsPerImageStep) ? secondsPerStep : secondsPerImageStep;
        int laterBatches = (later + options.maxBatch() - 1) / options.maxBatch();
        return stepsLeft * secondsPerStep + laterBatches * job.request.settings().steps() * perImageStep * Math.min(later, options.maxBatch());
    }

    private void observe(double seconds) {
        secondsPerImageStep = Double.isNaN(secondsPerImageStep) ? seconds : 0.8 * secondsPerImageStep + 0.2 * seconds;
    }

    /** Called with the lock held: a job leaves the count of open requests. */
    private void finish(ImageJob job) {
        open--;
        metrics.queue(open, waitingImages());
    }

    private int waitingImages() {
        int n = 0;
        for (ImageJob job : waiting) n += job.unassigned();
        return n;
    }

    /** A guess at when a slot frees: the images ahead of a new request at the measured rate, at least 1 s. */
    private long retryAfterSeconds() {
        if (Double.isNaN(secondsPerImageStep)) return 1;
        double imageSteps = 0;
        for (ImageJob job : waiting) imageSteps += (double) job.unassigned() * job.request.settings().steps();
        double seconds = imageSteps * secondsPerImageStep;
        return Math.max(1, (long) Math.ceil(seconds));
    }
}
