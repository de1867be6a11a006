package dev.fusedit.training.data;

/**
 * An endless, deterministic source of training batches: batch k is the same whatever happened
 * before it, so a resumed run reads exactly the batches an uninterrupted one would have.
 */
public interface TrainingData extends AutoCloseable {

    /** The {@code index}-th batch of {@code size} samples. */
    TrainingBatch batch(long index, int size);

    /** Samples skipped as unreadable so far (corrupt files); 0 for generated data. */
    default long skipped() {
        return 0;
    }

    @Override
    default void close() {}
}
