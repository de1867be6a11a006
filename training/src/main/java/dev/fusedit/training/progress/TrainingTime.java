package dev.fusedit.training.progress;

import java.util.Arrays;

/**
 * Training time, added up interval by interval (a step with its logging and checkpoint writing).
 * An interval far longer than the steps around it, more than {@link #STOPPED_FACTOR} times the
 * median of the last {@link #WINDOW} intervals and over {@link #STOPPED_MIN_NANOS}, counts as that
 * median: the process did not compute for that long but was stopped (SIGSTOP: on this project's
 * machines a background run is paused while someone measures) or the machine slept. So
 * trainer.max_minutes and the minutes a study reports are minutes the run computed. Load beside the
 * run slows every interval alike and still counts, and so does a slow checkpoint write, which stays
 * under the one-minute floor.
 */
public final class TrainingTime {
    /** How many times the recent median an interval must take to count as a stop. */
    public static final double STOPPED_FACTOR = 20;
    /** An interval shorter than this always counts in full. */
    public static final long STOPPED_MIN_NANOS = 60_000_000_000L;
    /** Intervals the median is taken over; fewer than {@link #WARM} (the JIT's first steps) judge nothing. */
    static final int WINDOW = 32, WARM = 8;

    private final long[] recent = new long[WINDOW];
    private int seen;
    private long total, discounted;

    /** Starts from a total already trained (restored on resume). */
    public TrainingTime(long totalNanos) {
        this.total = totalNanos;
    }

    /** Adds one interval; returns the nanoseconds it counted for. */
    public long add(long nanos) {
        long counted = nanos;
        if (seen >= WARM && nanos > STOPPED_MIN_NANOS) {
            long median = median();
            if (nanos > STOPPED_FACTOR * median) counted = median;
        }
        discounted += nanos - counted;
        recent[seen++ % WINDOW] = counted;
        total += counted;
        return counted;
    }

    public long totalNanos() {
        return total;
    }

    /** Wall time left out so far because the process was stopped. */
    public long stoppedNanos() {
        return discounted;
    }

    private long median() {
        long[] r = Arrays.copyOf(recent, Math.min(seen, WINDOW));
        Arrays.sort(r);
        return r[r.length / 2];
    }
}
