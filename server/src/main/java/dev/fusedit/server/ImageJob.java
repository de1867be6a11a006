package dev.fusedit.server;

import dev.fusedit.model.pipeline.GeneratedImage;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One accepted request's work: n images, handed to batches image by image (a request larger than a
 * batch spans several). {@link #result} completes with the images in order, or exceptionally with
 * a {@link java.util.concurrent.CancellationException} (cancelled, timed out, shut down) or the
 * generation's failure. Fields other than the result are guarded by the {@link Generator}'s lock.
 */
public final class ImageJob {
    final GenerationRequest request;
    final JobEvents events;
    final CompletableFuture<List<GeneratedImage>> result = new CompletableFuture<>();
    private final GeneratedImage[] images;
    int assigned;
    int done;
    volatile boolean cancelled;
    private volatile Throwable failure;

    ImageJob(GenerationRequest request, JobEvents events) {
        this.request = request;
        this.events = events;
        this.images = new GeneratedImage[request.n()];
    }

    public CompletableFuture<List<GeneratedImage>> result() {
        return result;
    }

    public GenerationRequest request() {
        return request;
    }

    /** Why the job ended without its images (null while it runs or after it succeeded). */
    public Throwable failure() {
        return failure;
    }

    /** Ends the job with {@code why}; it is kept here because a future completed with a cancellation reports only that it was cancelled. */
    void fail(Throwable why) {
        failure = why;
        result.completeExceptionally(why);
    }

    int unassigned() {
        return images.length - assigned;
    }

    /** Stores image {@code index}; true when it was the last one. */
    boolean deliver(int index, GeneratedImage image) {
        images[index] = image;
        done++;
        return done == images.length;
    }

    List<GeneratedImage> images() {
        return Arrays.asList(images.clone());
    }
}
