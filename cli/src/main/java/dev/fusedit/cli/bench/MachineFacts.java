package dev.fusedit.cli.bench;

import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.VectorWidth;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** What benchmarks report about the machine, and the memory facts they compare against. */
public final class MachineFacts {
    private MachineFacts() {}

    /** "CPU model, N cores, JDK x, vector width" for the header of every benchmark table. */
    public static String describe() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
        } catch (IOException ignored) {
            // not Linux: keep "unknown CPU"
        }
        return String.format("%s, %d cores, JDK %s, vectors %s, kernel threads %d", cpu, Runtime.getRuntime().availableProcessors(),
                Runtime.version(), VectorWidth.describe(), KernelPool.defaultThreads());
    }

    /** CPU time this process has used so far, in user and kernel (system) mode, in seconds. */
    public record CpuTime(double user, double system) {
        public CpuTime minus(CpuTime earlier) {
            return new CpuTime(user - earlier.user, system - earlier.system);
        }

        /** The kernel's share of all CPU time (page faults, thread parking and waking, memory mapping). */
        public double systemShare() {
            return user + system > 0 ? system / (user + system) : 0;
        }
    }

    /** This process's CPU time from /proc/self/stat (utime and stime, in clock ticks of 1/100 s); zeros where /proc is absent. */
    public static CpuTime cpuTime() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new CpuTime(Long.parseLong(f[11]) / 100.0, Long.parseLong(f[12]) / 100.0);
        } catch (IOException | RuntimeException e) {
            return new CpuTime(0, 0);
        }
    }

    /** Peak resident set size of this process in bytes (VmHWM), or -1 where /proc is absent. */
    public static long peakRss() {
        return procStatus("VmHWM:");
    }

    public static long currentRss() {
        return procStatus("VmRSS:");
    }

    private static long procStatus(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith(key)) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (IOException | NumberFormatException ignored) {
            // no /proc
        }
        return -1;
    }

    /** Resets the peak RSS to the current RSS (Linux: write 5 to /proc/self/clear_refs); false if impossible. */
    public static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Memory bandwidth in bytes/s counting bytes read + written, from {@code threads} threads each
     * copying its own 256 MiB buffer (median of 5).
     */
    public static double copyBandwidth(int threads) {
        long size = 256L << 20;
        try (Arena arena = Arena.ofShared(); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            MemorySegment[] src = new MemorySegment[threads], dst = new MemorySegment[threads];
            for (int t = 0; t < threads; t++) {
                src[t] = arena.allocate(size, 64);
                dst[t] = arena.allocate(size, 64);
                src[t].fill((byte) 1);
                dst[t].fill((byte) 2);
            }
            double[] rates = new double[5];
            for (int r = 0; r < rates.length; r++) {
                long t0 = System.nanoTime();
                Future<?>[] f = new Future<?>[threads];
                for (int t = 0; t < threads; t++) {
                    int k = t;
                    f[t] = pool.submit(() -> MemorySegment.copy(src[k], 0, dst[k], 0, size));
                }
                for (Future<?> x : f) x.get();
                rates[r] = 2.0 * size * threads / ((System.nanoTime() - t0) / 1e9);
            }
            Arrays.sort(rates);
            return rates[rates.length / 2];
        } catch (Exception e) {
            throw new IllegalStateException("bandwidth measurement failed", e);
        }
    }
}
