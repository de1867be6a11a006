package dev.fusedit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusedit.model.pipeline.PipelineFolder;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.training.TinyTrainingConfig;
import dev.fusedit.training.Trainer;
import dev.fusedit.training.checkpoint.CheckpointChecksums;
import dev.fusedit.training.config.TrainConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every write that must survive a crash, killed (SIGKILL) at random points of its work and
 * starved of disk (a real EFBIG from the kernel: the writer runs under {@code ulimit -f}), then
 * checked: the previous state is intact and readable, the new one complete or absent. The
 * writers are real: PNGs through RgbImage.writePng, eval reports through ShapesReport.write,
 * checkpoints through the trainer, pipeline folders through {@code fusedit convert}.
 * {@code -Dfusedit.crash.kills=N} sets the kill points per writer (CI: 3).
 */
class CrashConsistencyTest {
    @TempDir
    static Path dir;
    static Path config;
    static final int KILLS = Integer.getInteger("fusedit.crash.kills", 3);
    static final Path MODEL = Path.of("..", "models", "shapes-tiny").toAbsolutePath().normalize();

    @BeforeAll
    static void writeConfig() throws IOException {
        config = TinyTrainingConfig.write(dir, """
                  max_steps: 1000000
                  checkpointing_steps: 1
                  logging_steps: 1
                  seed: 5
                """, "", 2, 10);
    }

    /** A writer process and what it announced: the last complete version, and a failure if the disk refused it. */
    private static final class Writer {
        final Process process;
        final AtomicInteger lastDone = new AtomicInteger(-1);
        final AtomicReference<String> failure = new AtomicReference<>();
        final CountDownLatch firstDone = new CountDownLatch(1);
        /** Counts down at each "WRITING" (a checkpoint half-way written), from 2: the second one has a complete checkpoint behind it. */
        final CountDownLatch secondWriting = new CountDownLatch(2);
        final Thread reader;

        Writer(long fileSizeLimitKb, String... args) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), CrashWriters.class.getName()));
            cmd.addAll(List.of(args));
            if (fileSizeLimitKb > 0) {
                // the kernel refuses writes past the limit with EFBIG (the JVM ignores SIGXFSZ): a disk that fills up mid-write
                StringBuilder line = new StringBuilder("ulimit -f " + fileSizeLimitKb + "; exec");
                for (String c : cmd) line.append(" '").append(c.replace("'", "'\\''")).append("'");
                cmd = List.of("bash", "-c", line.toString());
            }
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        if (l.startsWith("DONE ")) {
                            lastDone.set(Integer.parseInt(l.substring(5)));
                            firstDone.countDown();
                        } else if (l.startsWith("WRITING ")) secondWriting.countDown();
                        else if (l.startsWith("FAILED ")) failure.set(l.substring(7));
                    }
                } catch (IOException ignored) {
                    // the process was killed
                }
            });
        }

        /** SIGKILL, then what it announced before it died (read to the end of the pipe: Process.destroyForcibly would close it first). */
        int kill() throws InterruptedException {
            process.toHandle().destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(10_000);
            return lastDone.get();
        }
    }

    /** Starts writer args, lets it finish a first version, kills it a random moment later; returns the last announced version. */
    private static int killSomewhereIn(SplittableRandom rng, long maxDelayMs, String... args) throws Exception {
        Writer w = new Writer(0, args);
        assertThat(w.firstDone.await(120, TimeUnit.SECONDS)).as("the writer completed a first version").isTrue();
        Thread.sleep(rng.nextLong(maxDelayMs + 1));
        return w.kill();
    }

    /** Says whether kill k landed inside a write (its temporary is still there): the report of docs/reliability.md counts them. */
    private static void midWrite(String writer, int k, Path folder, String temporaryPrefix) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            boolean inside = s.anyMatch(p -> p.getFileName().toString().startsWith(temporaryPrefix));
            System.out.println("crash " + writer + " kill " + k + ": " + (inside ? "inside a write" : "between writes"));
        }
    }

    /** Reads the file a writer left, checks it whole, and returns its version. */
    private interface VersionOnDisk {
        int read(Path file) throws IOException;
    }

    /** Kills writer at KILLS random points; each time the file must hold the last announced version or the next, whole. */
    private static void killRepeatedly(String writer, String fileName, long seed, VersionOnDisk onDisk) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int k = 0; k < KILLS; k++) {
            Path file = dir.resolve(writer + "-" + k + "/" + fileName);
            int last = killSomewhereIn(rng, 1500, writer, file.toString());
            midWrite(writer, k, file.getParent(), "." + fileName);
            assertThat(onDisk.read(file)).as("the last announced version or the one after it").isBetween(last, last + 1);
        }
    }

    @Test
    void aKilledPngWriteLeavesTheOldImageOrTheNewOneWhole() throws Exception {
        killRepeatedly("png", "sample.png", 1, file -> {
            RgbImage onDisk = RgbImage.readPng(file);
            int v = CrashWriters.versionOf(onDisk);
            assertThat(onDisk.pixels()).isEqualTo(CrashWriters.pngOfVersion(v).pixels());
            return v;
        });
    }

    @Test
    void aKilledReportWriteLeavesTheOldReportOrTheNewOneWhole() throws Exception {
        killRepeatedly("report", "report.json", 2, file -> {
            int v = new ObjectMapper().readTree(file.toFile()).path("samples").asInt(-1);
            assertThat(Files.readString(file)).isEqualTo(CrashWriters.reportOfVersion(v).toJson());
            return v;
        });
    }

    /** Every checkpoint on disk is whole (its checksums hold), and the run resumes from the newest. */
    private static void assertCheckpointsWholeAndResumable(Path run) throws IOException {
        List<Path> steps;
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            steps = s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
        }
        assertThat(steps).isNotEmpty();
        for (Path step : steps) {
            Path state = step.resolve(CheckpointChecksums.STATE_FILE);
            assertThat(state).as(step + " is complete").isRegularFile();
            CheckpointChecksums.verify(step, new ObjectMapper().readTree(state.toFile()).path("checksums"), state);
        }
        // resuming reads the newest one whole (and takes the run's lock: the killed writer's went with it)
        new Trainer(TrainConfig.read(config), run, 1_000_000, 1, run).close();
    }

    @Test
    void aKilledCheckpointWriteLeavesWholeCheckpointsOnly() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        for (int k = 0; k < KILLS; k++) {
            Path run = dir.resolve("run-" + k);
            Writer w = new Writer(0, "checkpoint", run.toString(), config.toString());
            assertThat(w.secondWriting.await(120, TimeUnit.SECONDS)).as("the trainer is writing its second checkpoint").isTrue();
            // from the middle of that write (trainer state, checksums, the rename) to the step after it
            Thread.sleep(rng.nextLong(60));
            w.kill();
            midWrite("checkpoint", k, run.resolve("checkpoints"), ".step-");
            assertCheckpointsWholeAndResumable(run);
        }
    }

    /** Every converted folder on disk opens and reads whole. */
    private static void assertConvertedWhole(Path outs) throws IOException {
        try (Stream<Path> s = Files.list(outs)) {
            for (Path out : s.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                PipelineFolder folder = PipelineFolder.open(out);
                try (SafeTensorsFile w = SafeTensorsFile.open(folder.transformerDir().resolve(PipelineFolder.WEIGHTS_FILE))) {
                    for (String name : w.names()) w.get(name).toDoubleArray();
                }
            }
        }
    }

    @Test
    void aKilledConvertLeavesWholePipelineFoldersOnly() throws Exception {
        SplittableRandom rng = new SplittableRandom(4);
        for (int k = 0; k < KILLS; k++) {
            Path outs = dir.resolve("convert-" + k);
            int last = killSomewhereIn(rng, 3000, "convert", outs.toString(), MODEL.toString());
            midWrite("convert", k, outs, ".v");
            assertThat(outs.resolve("v" + last)).isDirectory();
            assertConvertedWhole(outs);
        }
    }

    @Test
    void aFullDiskFailsTheWriteAndKeepsThePreviousState() throws Exception {
        // PNGs grow with their version: the one past 150 KB is refused by the file system mid-write
        Path png = dir.resolve("full/sample.png");
        Writer w = new Writer(150, "png", png.toString());
        assertThat(w.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        w.reader.join(10_000);
        assertThat(w.process.exitValue()).isEqualTo(3);
        assertThat(w.failure.get()).contains("File too large");
        assertThat(CrashWriters.versionOf(RgbImage.readPng(png))).isEqualTo(w.lastDone.get());
        try (Stream<Path> left = Files.list(png.getParent())) {
            assertThat(left).as("no temporary file left behind").containsExactly(png);
        }

        // a run with two checkpoints, resumed on a disk too small for the next one
        Path run = dir.resolve("full-run");
        try (Trainer t = new Trainer(TrainConfig.read(config), run, 2, 1, null)) {
            t.train();
        }
        Writer starved = new Writer(64, "checkpoint", run.toString(), config.toString());
        assertThat(starved.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        starved.reader.join(10_000);
        assertThat(starved.failure.get()).contains("File too large");
        assertThat(run.resolve("checkpoints/step-0000003")).doesNotExist();
        assertCheckpointsWholeAndResumable(run);

        // a convert whose weights do not fit: no folder at --out, the earlier ones whole
        Path outs = dir.resolve("full-convert");
        Writer converts = new Writer(3_000, "convert", outs.toString(), MODEL.toString());
        assertThat(converts.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        converts.reader.join(10_000);
        assertThat(converts.process.exitValue()).isEqualTo(3);
        assertConvertedWhole(outs);
    }
}
