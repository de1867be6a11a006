package dev.fusedit.model.progress;

import java.io.PrintStream;
import java.time.Duration;

/**
 * One line of progress on stderr: step/total, a bar, rate, ETA and a free-form status (loss).
 * On a terminal it redraws in place; otherwise (CI, a log file) it prints a line every
 * {@code every} steps and at the end.
 */
public final class ProgressBar {
    private final PrintStream out;
    private final String label;
    private long total;
    private final boolean interactive;
    private final long every;
    private final long startNanos = System.nanoTime();
    private final long startStep;
    private long lastPrinted = -1;

    public ProgressBar(String label, long startStep, long total, long every) {
        this.out = System.err;
        this.label = label;
        this.startStep = startStep;
        this.total = total;
        this.every = Math.max(1, every);
        this.interactive = System.console() != null;
    }

    /** Moves the end of the bar (a run that stops on a time budget: the step it will reach at the current rate). */
    public void retarget(long total) {
        this.total = total;
    }

    /** Steps per second since this bar started. */
    public double rate(long step) {
        double s = (System.nanoTime() - startNanos) / 1e9;
        return s <= 0 ? 0 : (step - startStep) / s;
    }

    public void update(long step, String status) {
        boolean last = step >= total;
        if (!interactive && !last && step % every != 0) return;
        if (step == lastPrinted) return;
        lastPrinted = step;
        double rate = rate(step);
        double secPerStep = rate > 0 ? 1 / rate : 0;
        String eta = rate > 0 ? format(Duration.ofSeconds((long) ((total - step) / rate))) : "?";
        int width = 24, filled = (int) (width * Math.min(1.0, step / (double) total));
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        String line = String.format("%s %d/%d [%s] %s ETA %s %s", label, step, total, bar,
                secPerStep >= 1 ? String.format("%.2f s/step", secPerStep) : String.format("%.2f steps/s", rate), eta, status);
        if (interactive) out.print("\r" + line + (last ? "\n" : ""));
        else out.println(line);
        out.flush();
    }

    /** "1h05m" or "3m07s". */
    public static String format(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
