package dev.fusedit.training.data;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads batches ahead on a daemon thread while the trainer computes: asked for batch k, it
 * returns k from the read-ahead (waiting if it is still being decoded) and queues k+1 .. k+ahead.
 * Batches come from the wrapped source by index, so the answer is the same as asking the source
 * directly; only the waiting differs. An exception on the reading thread is rethrown on the
 * caller's thread, naming the batch. close() stops the thread without waiting for a queued batch.
 */
public final class PrefetchingData implements TrainingData {
    private static final long CLOSE_WAIT_SECONDS = 10;
    private static final long POLL_MILLIS = 200;

    private final TrainingData source;
    private final int ahead;
    private final ExecutorService reader;
    private final Map<Key, Future<TrainingBatch>> pending = new ConcurrentHashMap<>();

    private volatile boolean closed;

    private record Key(long index, int size) {}

    public PrefetchingData(TrainingData source, int ahead) {
        if (ahead < 1) throw new IllegalArgumentException("read-ahead must be at least 1 batch, got " + ahead);
        this.source = source;
        this.ahead = ahead;
        this.reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "training-data-prefetch");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public synchronized TrainingBatch batch(long index, int size) {
        Future<TrainingBatch> wanted = schedule(new Key(index, size));
        // batches behind the one asked for will not be asked for again in order; drop them
        for (Iterator<Map.Entry<Key, Future<TrainingBatch>>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Future<TrainingBatch>> e = it.next();
            Key k = e.getKey();
            if (k.size != size || k.index < index || k.index > index + ahead) {
                e.getValue().cancel(false);
                it.remove();
            }
        }
        for (int i = 1; i <= ahead; i++) schedule(new Key(index + i, size));
        try {
            TrainingBatch batch = awaitUnlessClosed(wanted, index);
            pending.remove(new Key(index, size));
            return batch;
        } catch (ExecutionException e) {
            pending.remove(new Key(index, size));
            Throwable cause = e.getCause();
            throw new IllegalStateException("reading training batch " + index + " failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for training batch " + index, e);
        } catch (CancellationException e) {
            throw new IllegalStateException("training data was closed while batch " + index + " was being read", e);
        }
    }

    private Future<TrainingBatch> schedule(Key key) {
        try {
            if (closed) throw new RejectedExecutionException();
            return pending.computeIfAbsent(key, k -> reader.submit(() -> source.batch(k.index, k.size)));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("training data is closed; batch " + key.index + " cannot be read");
        }
    }

    /**
     * The batch, polling for close(): a task dropped by a close on another thread between its
     * submission and the cancellation sweep would otherwise leave this wait without an end.
     */
    private TrainingBatch awaitUnlessClosed(Future<TrainingBatch> wanted, long index) throws ExecutionException, InterruptedException {
        while (true) {
            try {
                return wanted.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (closed) throw new CancellationException("closed while waiting for batch " + index);
            }
        }
    }

    @Override
    public long skipped() {
        return source.skipped();
    }

    @Override
    public void close() {
        closed = true;
        // cancel first: a caller waiting on a batch still queued behind others gets an answer instead of waiting forever
        pending.values().forEach(f -> f.cancel(true));
        reader.shutdownNow();
        try {
            if (!reader.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS))
                System.err.println("training data: the read-ahead thread is still decoding after " + CLOSE_WAIT_SECONDS + " s; left to finish as a daemon");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pending.clear();
        source.close();
    }
}
