package dev.fusedit.shapes;

import java.util.Iterator;

/**
 * The endless training stream of the shapes world from one seed: sample i is a category (uniform),
 * a caption of it, a scene that makes it true, and with probability {@code dropRate} the caption
 * replaced by "". Every sample depends on (seed, i) alone, so resuming at any index is free and
 * the stream is the same on every machine.
 */
public final class ShapesStream {
    /** The spec's share of captions dropped for classifier-free guidance. */
    public static final double DEFAULT_DROP_RATE = 0.1;

    private final long seed;
    private final double dropRate;

    public ShapesStream(long seed) {
        this(seed, DEFAULT_DROP_RATE);
    }

    public ShapesStream(long seed, double dropRate) {
        if (!(dropRate >= 0 && dropRate <= 1)) throw new IllegalArgumentException("caption drop rate must be in [0, 1], got " + dropRate);
        this.seed = seed;
        this.dropRate = dropRate;
    }

    public ShapesSample sample(long index) {
        if (index < 0) throw new IllegalArgumentException("sample index must be non-negative, got " + index);
        SampleRandom r = SampleRandom.forSample(seed, index);
        ShapesPrompt prompt = CaptionSampler.sample(r);
        Scene scene = SceneSampler.sceneFor(prompt, r);
        boolean drop = r.nextDouble() < dropRate;
        return new ShapesSample(index, drop ? "" : prompt.text(), prompt, scene);
    }

    /** Samples from {@code start} on, endlessly. */
    public Iterator<ShapesSample> from(long start) {
        if (start < 0) throw new IllegalArgumentException("start index must be non-negative, got " + start);
        return new Iterator<>() {
            private long next = start;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public ShapesSample next() {
                return sample(next++);
            }
        };
    }

    public long seed() {
        return seed;
    }

    public double dropRate() {
        return dropRate;
    }
}
