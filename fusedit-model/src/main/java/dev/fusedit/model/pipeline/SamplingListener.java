package dev.fusedit.model.pipeline;

/**
 * What a sampling run reports while it works: each finished denoising step and warnings such as a
 * prompt cut to the model's maximum length. Both default to doing nothing but printing the
 * warning on stderr, so a library user sees truncation without configuring anything.
 */
public interface SamplingListener {

    /** A listener that prints warnings on stderr and ignores steps. */
    SamplingListener WARNINGS_TO_STDERR = new SamplingListener() {};

    /** Step {@code done} of {@code total} (1-based) has finished. */
    default void onStep(int done, int total) {}

    default void onWarning(String message) {
        System.err.println("warning: " + message);
    }
}
