package dev.fusedit.server;

import dev.fusedit.model.pipeline.GeneratedImage;

/**
 * What a job tells the request that waits for it, from the generator thread. Implementations must
 * return at once (hand the event to the request's own thread): a slow client must not stall the
 * batch everyone else waits for.
 */
public interface JobEvents {
    JobEvents NONE = new JobEvents() {};

    /** A denoising step of the batch holding this job's images finished; eta covers its later batches too. */
    default void onProgress(int step, int steps, int imagesDone, int images, double etaSeconds) {}

    /** Image {@code index} (0-based, of n) is ready. */
    default void onImage(int index, GeneratedImage image) {}
}
