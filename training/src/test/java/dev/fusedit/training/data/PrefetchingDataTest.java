package dev.fusedit.training.data;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The read-ahead returns what its source returns, reads ahead on its own thread, reports errors, and closes. */
class PrefetchingDataTest {

    @Test
    void batchesAreThoseOfTheSourceWhateverTheOrder() {
        ShapesData direct = new ShapesData(5, 0.1);
        try (PrefetchingData ahead = new PrefetchingData(new ShapesData(5, 0.1), 2)) {
            for (long k : new long[] {0, 1, 2, 7, 3, 3, 8}) {
                TrainingBatch a = ahead.batch(k, 3), b = direct.batch(k, 3);
                assertThat(a.captions()).isEqualTo(b.captions());
                assertThat(a.images().toFloatArray()).isEqualTo(b.images().toFloatArray());
            }
        }
    }

    /** Records which batches were read, on which thread; batch 2 fails. */
    private static final class Recording implements TrainingData {
        final Set<Long> read = ConcurrentHashMap.newKeySet();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final CountDownLatch readThree = new CountDownLatch(3);

        @Override
        public TrainingBatch batch(long index, int size) {
            threads.add(Thread.currentThread().getName());
            read.add(index);
            readThree.countDown();
            if (index == 2) throw new IllegalArgumentException("shard 7 vanished");
            return new TrainingBatch(Tensor.zeros(DType.F32, size, 3, 2, 2), List.of("batch " + index));
        }
    }

    @Test
    void readsAheadOnItsOwnThreadAndReportsTheReadersErrorToTheCaller() throws InterruptedException {
        Recording source = new Recording();
        try (PrefetchingData ahead = new PrefetchingData(source, 2)) {
            assertThat(ahead.batch(0, 1).captions()).containsExactly("batch 0");
            assertThat(source.readThree.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(source.read).containsExactlyInAnyOrder(0L, 1L, 2L);
            assertThat(source.threads).containsExactly("training-data-prefetch");
            assertThat(ahead.batch(1, 1).captions()).containsExactly("batch 1");
            assertThatThrownBy(() -> ahead.batch(2, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("reading training batch 2 failed: shard 7 vanished")
                    .hasCauseInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void closeStopsABusyReaderAndLaterCallsSayTheDataIsClosed() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        TrainingData slow = (index, size) -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted");
            }
            return null;
        };
        PrefetchingData ahead = new PrefetchingData(slow, 1);
        Thread caller = new Thread(() -> {
            try {
                ahead.batch(0, 1);
            } catch (IllegalStateException expected) {
                // closed underneath it
            }
        });
        caller.start();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        ahead.close();
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5);
        caller.join(10_000);
        assertThat(caller.isAlive()).isFalse();
        assertThatThrownBy(() -> ahead.batch(5, 1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
