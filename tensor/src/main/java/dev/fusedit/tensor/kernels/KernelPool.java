package dev.fusedit.tensor.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one thread pool the kernels share, sized to the cores (or -Dfusedit.threads). Work is
 * split into a fixed number of tasks by index so results never depend on scheduling.
 */
public final class KernelPool implements AutoCloseable {
    private final ForkJoinPool pool;
    private final int threads;

    public KernelPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("fusedit-kernel-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** Threads from -Dfusedit.threads, else the available processors. */
    public static int defaultThreads() {
        String forced = System.getProperty("fusedit.threads");
        return forced != null ? Integer.parseInt(forced.trim()) : Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs body(i) for i in [0, tasks). Runs inline when there is one task or one thread, or when
     * already on a pool thread (nested parallelism would only add overhead).
     */
    public void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        if (tasks == 1 || pool == null || onPoolThread()) {
            for (int i = 0; i < tasks; i++) body.accept(i);
            return;
        }
        pool.invoke(new Range(0, tasks, body));
    }

    private boolean onPoolThread() {
        return Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == pool;
    }

    private static final class Range extends RecursiveAction {
        private final int from, to;
        private final IntConsumer body;

        Range(int from, int to, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(from, mid, body), new Range(mid, to, body));
        }
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdown();
    }
}
