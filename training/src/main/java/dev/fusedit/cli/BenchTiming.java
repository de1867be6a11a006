package dev.fusedit.cli;

import java.util.Arrays;

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

    /** Median seconds per call of each of two bodies, run alternately for about budgetSeconds in all. */
    static double[] interleavedMedians(Runnable first, Runnable second, double budgetSeconds) {
        double once = warmUp(first, budgetSeconds / 4) + warmUp(second, budgetSeconds / 4);
        int runs = (int) Math.clamp(budgetSeconds / 2 / Math.max(once, 1e-7), 3, 200);
        double[] a = new double[runs], b = new double[runs];
        for (int r = 0; r < runs; r++) {
            a[r] = time(first);
            b[r] = time(second);
        }
        return new double[] {median(a), median(b)};
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
        long t0 = System.nanoTime();
        body.run();
        return (System.nanoTime() - t0) * 1e-9;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int h = s.length / 2;
        return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
    }
}
