package dev.fusedit.tensor.kernels;

import dev.fusedit.tensor.Settings;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The one thread pool the kernels share, sized to the cores (or -Dfusedit.threads). Work is
 * split into a fixed number of tasks by index so results never depend on scheduling.
 *
 * <p>The calling thread works on its own call's tasks next to threads − 1 workers, and a worker
 * that runs out of work spins (yielding its core to any other runnable thread) for
 * {@link #SPIN_NANOS} before it parks. A model step calls the
 * kernels hundreds of times with a little Java in between, and waking a parked thread for each
 * call (as a ForkJoinPool does) costs more than many of those calls take (tensor/README.md has
 * the measurements).
 */
public final class KernelPool implements AutoCloseable {
    /** How long an idle worker waits for the next call before it parks (the gap between kernel calls of a step is shorter). */
    static final long SPIN_NANOS = 100_000;
    /** Spins (a few µs) before the idle worker starts yielding its core between checks. */
    private static final int PURE_SPINS = 200;

    private final int threads;
    private final Worker[] workers;
    /** One call at a time uses the workers; a second caller (another thread) runs its tasks itself. */
    private final ReentrantLock calls = new ReentrantLock();
    /** Threads now running tasks of this pool: a call from inside a task runs inline. */
    private final ThreadLocal<Boolean> inTask = ThreadLocal.withInitial(() -> false);
    /** The current call; published before {@link #generation} is bumped. */
    private volatile Call call;
    private volatile long generation;
    private volatile boolean closed;

    public KernelPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        this.threads = threads;
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            Thread t = new Thread(workers[i], "fusedit-kernel-" + i);
            t.setDaemon(true);
            workers[i].thread = t;
            t.start();
        }
    }

    /** Threads from {@link Settings#threads()} (-Dfusedit.threads), else the available processors. */
    public static int defaultThreads() {
        int forced = Settings.get().threads();
        return forced > 0 ? forced : Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs body(i) for i in [0, tasks) and returns when all are done; the first exception a task
     * throws is rethrown here. Runs inline when there is one task or one thread, when called from
     * inside a task (nested parallelism would only add overhead) or while another thread's call
     * holds the workers.
     */
    public void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        if (tasks == 1 || workers.length == 0 || closed || inTask.get() || !calls.tryLock()) {
            for (int i = 0; i < tasks; i++) body.accept(i);
            return;
        }
        try {
            Call c = new Call(body, tasks);
            call = c;
            generation++; // only this thread writes it (under the lock); the volatile write publishes call
            for (Worker w : workers) if (w.parked) LockSupport.unpark(w.thread);
            inTask.set(true);
            try {
                c.work();
            } finally {
                inTask.set(false);
            }
            for (int spins = 0; c.done.get() < tasks; spins++) idle(spins);
            call = null;
            if (c.failure != null) rethrow(c.failure);
        } finally {
            calls.unlock();
        }
    }

    /** One turn of a wait loop: a few µs of pure spinning, then yielding the core between checks. */
    private static void idle(int spins) {
        if (spins < PURE_SPINS) Thread.onSpinWait();
        else Thread.yield();
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new IllegalStateException(t);
    }

    /** One forEach call: tasks are claimed by index from next, by the caller and the workers alike. */
    private static final class Call {
        final IntConsumer body;
        final int tasks;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable failure;

        Call(IntConsumer body, int tasks) {
            this.body = body;
            this.tasks = tasks;
        }

        void work() {
            for (int i; (i = next.getAndIncrement()) < tasks; ) {
                try {
                    body.accept(i);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private final class Worker implements Runnable {
        Thread thread;
        volatile boolean parked;

        @Override
        public void run() {
            inTask.set(true);
            long seen = 0;
            while (!closed) {
                if (generation != seen) {
                    seen = generation;
                    Call c = call;
                    if (c != null) c.work();
                    continue;
                }
                // spin, then yield while spinning (idle): a core shared with other work (the JIT, GC,
                // another process) gets it back at once, and the worker still answers the next call in a few µs
                long idleSince = System.nanoTime();
                for (int spins = 0; generation == seen && !closed && System.nanoTime() - idleSince < SPIN_NANOS; spins++) idle(spins);
                if (generation != seen || closed) continue;
                // Dekker-style handshake with forEach: write parked, then re-read generation; the caller
                // writes generation, then reads parked, so one of the two sees the other
                parked = true;
                if (generation == seen && !closed) LockSupport.park(this);
                parked = false;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w.thread);
    }
}
