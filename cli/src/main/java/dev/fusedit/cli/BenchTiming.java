package dev.fusedit.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Wall-clock timing for the bench commands: the median of several timed runs after a warm-up,
 * and two candidates timed alternately so that load from other processes on a shared machine
 * hits both alike.
 */
final class BenchTiming {
    private BenchTiming() {}

    /** "machine: CPU, cores, JDK, threads" for the head of a bench table. */
    static String machineLine(int threads) {
        String cpu = "unknown CPU";
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: the CPU stays unnamed
        }
        return "machine: " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, JDK "
                + Runtime.version() + ", vector " + dev.fusedit.tensor.kernels.VectorWidth.describe() + ", " + threads + " threads";
    }

    /**
     * After a block of OpenBLAS calls its worker threads spin-wait for about 2^28 cycles before
     * sleeping; on a machine with few cores they would steal the cores from the next measurement.
     */
    private static final long SETTLE_MILLIS = 150;

    /** Blocks per candidate: alternating blocks spread the machine's background load over both. */
    private static final int ROUNDS = 4;

    /**
     * Median seconds per call of each of two bodies over about budgetSeconds in all, timed in
     * alternating blocks of calls with a pause after each block (see {@link #SETTLE_MILLIS}).
     */
    static double[] interleavedMedians(Runnable first, Runnable second, double budgetSeconds) {
        return interleavedMedians(first, second, budgetSeconds, false);
    }

    /**
     * As above; with threadCpuTime the calling thread's CPU time is measured instead of wall time,
     * which time-sharing with other processes does not inflate (meaningful only for single-threaded bodies).
     */
    static double[] interleavedMedians(Runnable first, Runnable second, double budgetSeconds, boolean threadCpuTime) {
        LongSupplier clock = threadCpuTime ? THREADS::getCurrentThreadCpuTime : System::nanoTime;
        double once = Math.max(warmUp(first, budgetSeconds / 6), warmUp(second, budgetSeconds / 6));
        settle();
        int perBlock = (int) Math.clamp(budgetSeconds * 2 / 3 / (2 * ROUNDS) / Math.max(once, 1e-7), 1, 100);
        double[] a = new double[ROUNDS * perBlock], b = new double[ROUNDS * perBlock];
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < perBlock; i++) a[r * perBlock + i] = time(first, clock);
            settle();
            for (int i = 0; i < perBlock; i++) b[r * perBlock + i] = time(second, clock);
            settle();
        }
        return new double[] {median(a), median(b)};
    }

    private static void settle() {
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Median seconds per call of one body, timed for about budgetSeconds. */
    static double median(Runnable body, double budgetSeconds) {
        double once = warmUp(body, budgetSeconds / 3);
        int runs = (int) Math.clamp(budgetSeconds * 2 / 3 / Math.max(once, 1e-7), 3, 200);
        double[] t = new double[runs];
        for (int r = 0; r < runs; r++) t[r] = time(body);
        return median(t);
    }

    /** Runs body until the JIT has had a chance at it (at least 3 calls, about budget seconds); returns the last call's time. */
    private static double warmUp(Runnable body, double budget) {
        long end = System.nanoTime() + (long) (budget * 1e9);
        double last = 0;
        for (int i = 0; i < 3 || (System.nanoTime() < end && i < 10_000); i++) last = time(body);
        return last;
    }

    private static double time(Runnable body) {
        return time(body, System::nanoTime);
    }

    private static double time(Runnable body, LongSupplier clock) {
        long t0 = clock.getAsLong();
        body.run();
        return (clock.getAsLong() - t0) * 1e-9;
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The median of the values (the mean of the middle two for an even count). */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int h = s.length / 2;
        return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
    }
}
