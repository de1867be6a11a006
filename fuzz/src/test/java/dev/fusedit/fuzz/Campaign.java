package dev.fusedit.fuzz;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one reader on mutated inputs and sorts every outcome into read, refused (the reader's
 * documented error) or a finding: any other exception, no answer within the time limit, or more
 * memory allocated than the input can justify (a number from the file trusted as a size).
 *
 * <p>No coverage instrumentation is served for this build (docs/reliability.md says why), so the
 * feedback is the reader's own answer: an input whose outcome has not been seen before (the kind
 * and the message with its numbers and quoted values blanked) joins the corpus that later inputs
 * are mutated from, which steers the campaign into the checks it has not reached yet.
 */
final class Campaign {
    /** A reader gets this long per input before it counts as hung. */
    static final long TIME_LIMIT_MS = Long.getLong("fusedit.fuzz.timeLimitMs", 5_000);
    /** Bytes a read may allocate: this floor plus a multiple of the input's size. */
    static final long ALLOCATION_FLOOR = 64L << 20;
    static final long ALLOCATION_PER_INPUT_BYTE = 2_000;
    private static final int MAX_CORPUS = 1_000;

    enum Kind { READ, REFUSED, FINDING }

    record Finding(int input, String what, Path saved) {}

    record Result(String target, int inputs, int read, int refused, List<Finding> findings, int outcomes, int corpus, double seconds,
                  double slowestMs) {
        String line() {
            return String.format("%-22s inputs %6d  read %6d  refused %6d  findings %3d  distinct outcomes %4d  corpus %4d  %7.1f s  slowest %6.0f ms",
                    target, inputs, read, refused, findings.size(), outcomes, corpus, seconds, slowestMs);
        }
    }

    private record Outcome(Kind kind, String what) {}

    private final FuzzTarget target;
    private final Path scratch;
    private final Path findingsDir;
    private ExecutorService worker = newWorker();
    /** The longest wall time one input took, for the report (a time limit that is never approached is no evidence). */
    private long slowestNanos;

    Campaign(FuzzTarget target, Path scratch, Path findingsDir) {
        this.target = target;
        this.scratch = scratch.toAbsolutePath();
        this.findingsDir = findingsDir;
    }

    /** Inputs per reader: the CI slice unless -Dfusedit.fuzz.inputs says otherwise. */
    static int inputs() {
        return Integer.getInteger("fusedit.fuzz.inputs", 400);
    }

    static long seed() {
        return Long.getLong("fusedit.fuzz.seed", 20261207L);
    }

    /** Checks the seeds read cleanly (else the campaign would prove nothing), then runs n mutated inputs. */
    Result run(int n, long seed) throws IOException {
        Mutator mutator = new Mutator(new SplittableRandom(seed ^ target.name().hashCode()), target.format());
        SplittableRandom pick = new SplittableRandom(seed);
        return campaign(n, corpus -> mutator.mutate(corpus.get(pick.nextInt(corpus.size())), corpus));
    }

    /** The same inputs for two readers (a comparison): no feedback, input i is inputs.get(i). */
    Result replay(List<byte[]> inputs) throws IOException {
        int[] next = {0};
        return campaign(inputs.size(), corpus -> inputs.get(next[0]++));
    }

    private interface InputSource {
        byte[] next(List<byte[]> corpus);
    }

    private Result campaign(int n, InputSource inputs) throws IOException {
        long start = System.nanoTime();
        List<byte[]> corpus = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (byte[] s : target.seeds()) {
            Outcome o = attempt(s);
            if (o.kind() != Kind.READ) throw new IllegalStateException(target.name() + ": a seed input does not read: " + o.what());
            corpus.add(s);
            seen.add(o.kind() + " " + o.what());
        }
        int read = 0, refused = 0;
        List<Finding> findings = new ArrayList<>();
        Map<String, Integer> findingKinds = new LinkedHashMap<>();
        try {
            for (int i = 0; i < n; i++) {
                byte[] input = inputs.next(corpus);
                Outcome o = attempt(input);
                switch (o.kind()) {
                    case READ -> read++;
                    case REFUSED -> refused++;
                    case FINDING -> {
                        // keep every distinct finding's first input to replay; count the rest
                        if (findingKinds.merge(o.what(), 1, Integer::sum) == 1) findings.add(new Finding(i, o.what(), save(i, input)));
                    }
                }
                if (seen.add(o.kind() + " " + o.what()) && corpus.size() < MAX_CORPUS) corpus.add(input);
            }
        } finally {
            worker.shutdownNow();
        }
        return new Result(target.name(), n, read, refused, findings, seen.size(), corpus.size(), (System.nanoTime() - start) / 1e9,
                slowestNanos / 1e6);
    }

    private Outcome attempt(byte[] input) throws IOException {
        Files.write(target.file(), input);
        long started = System.nanoTime();
        Future<Outcome> f = worker.submit(() -> readMeasured(input.length));
        try {
            Outcome o = f.get(TIME_LIMIT_MS, TimeUnit.MILLISECONDS);
            slowestNanos = Math.max(slowestNanos, System.nanoTime() - started);
            return o;
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow();
            worker = newWorker();   // the hung thread is a daemon and is left behind
            return new Outcome(Kind.FINDING, "no result within " + TIME_LIMIT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private Outcome readMeasured(int inputBytes) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Outcome outcome;
        try {
            Object result = target.read().read(target.file());
            outcome = new Outcome(Kind.READ, skeleton(result == null ? "" : String.valueOf(result)));
        } catch (Throwable t) {
            outcome = target.refusal().accepts(t, scratch) ? new Outcome(Kind.REFUSED, skeleton(t.getMessage()))
                    : new Outcome(Kind.FINDING, t.getClass().getName() + ": " + skeleton(String.valueOf(t.getMessage())) + " at " + where(t));
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        if (allocated > ALLOCATION_FLOOR + ALLOCATION_PER_INPUT_BYTE * inputBytes)
            return new Outcome(Kind.FINDING, "allocated " + allocated / (1 << 20) + " MiB for an input of " + inputBytes + " bytes");
        return outcome;
    }

    /** The message (or result) with the scratch path, numbers and quoted values blanked: what kind of answer it is. */
    private String skeleton(String message) {
        if (message == null) return "";
        String s = message.replace(scratch.toString(), "")
                .replaceAll("@[0-9a-f]{4,}", "@")   // identity hashes in a result's toString say nothing about the input
                .replaceAll("'[^']*'", "'_'").replaceAll("\"[^\"]*\"", "\"_\"").replaceAll("\\d+", "N");
        return s.length() > 160 ? s.substring(0, 160) : s;
    }

    /** The first frame of project code, where a finding is to be fixed. */
    private static String where(Throwable t) {
        for (StackTraceElement e : t.getStackTrace())
            if (e.getClassName().startsWith("dev.fusedit.") && !e.getClassName().startsWith("dev.fusedit.fuzz.")) return e.toString();
        return t.getStackTrace().length > 0 ? t.getStackTrace()[0].toString() : "?";
    }

    private Path save(int i, byte[] input) throws IOException {
        Files.createDirectories(findingsDir);
        return Files.write(findingsDir.resolve(target.name() + "-" + i + ".bin"), input);
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-reader");
            t.setDaemon(true);
            return t;
        });
    }
}
