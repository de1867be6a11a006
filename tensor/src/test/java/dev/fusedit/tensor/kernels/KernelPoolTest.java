package dev.fusedit.tensor.kernels;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spinning pool: every task once per call, on several threads, nested and concurrent calls, failures, close. */
class KernelPoolTest {

    @Test
    void everyTaskRunsExactlyOnceAcrossManyCallsWithIdleGaps() throws InterruptedException {
        try (KernelPool pool = new KernelPool(3)) {
            for (int call = 0; call < 2000; call++) {
                int tasks = 1 + call % 7;
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                pool.forEach(tasks, runs::incrementAndGet);
                for (int i = 0; i < tasks; i++) assertThat(runs.get(i)).as("call %d task %d", call, i).isEqualTo(1);
                // now and then long enough for the workers to park, so both wake-up paths are taken
                if (call % 500 == 0) Thread.sleep(5);
            }
        }
    }

    @Test
    void tasksRunOnTheWorkersAsWellAsTheCaller() {
        try (KernelPool pool = new KernelPool(2)) {
            var threads = ConcurrentHashMap.<String>newKeySet();
            for (int call = 0; call < 200 && threads.size() < 2; call++) {
                CountDownLatch both = new CountDownLatch(2);
                pool.forEach(2, i -> {
                    threads.add(Thread.currentThread().getName());
                    both.countDown();
                    try {
                        // hold the task until the other one started, so one thread cannot take both
                        both.await(20, java.util.concurrent.TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertThat(threads).hasSize(2);
        }
    }

    @Test
    void nestedCallsRunInlineAndAFailingTaskIsRethrownToTheCaller() {
        try (KernelPool pool = new KernelPool(2)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(4 * 5);
            pool.forEach(4, outer -> pool.forEach(5, inner -> runs.incrementAndGet(outer * 5 + inner)));
            for (int i = 0; i < 20; i++) assertThat(runs.get(i)).isEqualTo(1);

            assertThatThrownBy(() -> pool.forEach(6, i -> {
                if (i == 4) throw new IllegalArgumentException("task 4 failed");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("task 4 failed");
            // the pool still works afterwards
            AtomicIntegerArray after = new AtomicIntegerArray(3);
            pool.forEach(3, after::incrementAndGet);
            assertThat(after.get(0) + after.get(1) + after.get(2)).isEqualTo(3);
        }
    }

    @Test
    void callsFromTwoThreadsAtOnceBothComplete() throws InterruptedException {
        try (KernelPool pool = new KernelPool(2)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(2);
            Runnable caller = () -> {
                for (int call = 0; call < 500; call++) {
                    int who = Thread.currentThread().getName().equals("second") ? 1 : 0;
                    pool.forEach(4, i -> runs.incrementAndGet(who));
                }
            };
            Thread second = new Thread(caller, "second");
            second.start();
            caller.run();
            second.join();
            assertThat(runs.get(0)).isEqualTo(2000);
            assertThat(runs.get(1)).isEqualTo(2000);
        }
    }

    @Test
    void aClosedPoolStillRunsCallsOnTheCaller() {
        KernelPool pool = new KernelPool(2);
        pool.close();
        AtomicIntegerArray runs = new AtomicIntegerArray(3);
        pool.forEach(3, runs::incrementAndGet);
        assertThat(runs.get(0) + runs.get(1) + runs.get(2)).isEqualTo(3);
    }
}
