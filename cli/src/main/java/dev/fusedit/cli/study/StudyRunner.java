package dev.fusedit.cli.study;

import dev.fusedit.cli.study.StudyState.EvalRecord;
import dev.fusedit.cli.study.StudyState.RunRecord;
import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.ImageGrid;
import dev.fusedit.model.pipeline.PngWriter;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.model.progress.ProgressBar;
import dev.fusedit.shapes.Category;
import dev.fusedit.shapes.ShapesBenchmark;
import dev.fusedit.shapes.ShapesEvaluator;
import dev.fusedit.shapes.ShapesPrompt;
import dev.fusedit.shapes.ShapesReport;
import dev.fusedit.tensor.io.AtomicFiles;
import dev.fusedit.training.Trainer;
import dev.fusedit.training.checkpoint.CheckpointStore;
import dev.fusedit.training.config.TrainConfig;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a {@link Study} into a folder, one run after another (seed by seed, each seed through every
 * variant, so a study cut short still compares the variants), and keeps its reports current:
 *
 * <pre>
 * OUT/report.json, report.md, score.png, objects.png, samples.png   what is committed (docs/studies/NAME/)
 * OUT/study-state.json                                             what is finished (for --resume)
 * OUT/runs/VARIANT/seed-S/                                         a `fusedit train` folder: checkpoints/, metrics.jsonl, loss.png,
 *                                                                  and evals/step-N/ (report.json, report-grid.png, grid/ cells)
 * </pre>
 *
 * A run is trained to its end (trainer.seed set to the seed, checkpoints also at every evaluation
 * step, trainer.max_minutes for a run of minutes), recorded, then each of its evaluation
 * checkpoints is scored with {@link ShapesBenchmark#run} and recorded. Killed anywhere, a resume
 * skips what the state records: a run killed in training continues from its newest checkpoint
 * (the trainer's own resume, which restores its training minutes too).
 */
public final class StudyRunner {
    /** Each grid cell is the 32-pixel sample enlarged this many times. */
    private static final int GRID_SCALE = 4;

    private final Study study;
    private final Path out;
    private final List<ShapesPrompt> prompts;
    private final List<Integer> gridPrompts;

    /** prompts: the benchmark prompts as read; eval.prompts_per_category is applied here. */
    public StudyRunner(Study study, Path out, List<ShapesPrompt> prompts) {
        this.study = study;
        this.out = out;
        this.prompts = firstPerCategory(prompts, study.eval().promptsPerCategory());
        this.gridPrompts = firstIndicesPerCategory(this.prompts, study.eval().gridPerCategory());
    }

    /** The first k prompts of each category, in file order (k = 0: all). */
    static List<ShapesPrompt> firstPerCategory(List<ShapesPrompt> prompts, int k) {
        if (k == 0) return prompts;
        return firstIndicesPerCategory(prompts, k).stream().sorted().map(prompts::get).toList();
    }

    /** Indices of the first k prompts of each category, category by category. */
    private static List<Integer> firstIndicesPerCategory(List<ShapesPrompt> prompts, int k) {
        List<Integer> out = new ArrayList<>();
        for (Category c : Category.values()) {
            int taken = 0;
            for (int i = 0; i < prompts.size() && taken < k; i++)
                if (prompts.get(i).category() == c) {
                    out.add(i);
                    taken++;
                }
        }
        return out;
    }

    public Path runDir(String variant, int seed) {
        return out.resolve("runs").resolve(variant).resolve("seed-" + seed);
    }

    /** Trains and evaluates what the state does not record as finished, then writes the reports. */
    public void run(boolean resume) throws IOException {
        StudyState state = StudyState.open(out, study, resume);
        List<String> variants = List.copyOf(study.variants().keySet());
        int total = variants.size() * study.seeds().size(), index = 0, worked = 0;
        long start = System.nanoTime();
        for (int seed : study.seeds())
            for (String variant : variants) {
                index++;
                String name = String.format("run %d/%d %s seed %d", index, total, variant, seed);
                RunRecord run = state.run(variant, seed);
                boolean work = false;
                if (!run.trained()) {
                    run = train(name, variant, seed, run);
                    state.put(run);
                    work = true;
                }
                for (long step : evalSteps(run)) {
                    if (run.eval(step) != null) continue;
                    run = run.withEval(evaluate(name, variant, seed, step));
                    state.put(run);
                    writeReports(state);
                    work = true;
                }
                if (!work) continue;
                worked++;
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                System.err.printf("study %s: %s done (%,d steps, %.1f training minutes, %d evaluations); %s elapsed, about %s to go%n",
                        study.name(), name, run.finalStep(), run.minutes(), run.evals().size(), ProgressBar.format(elapsed),
                        ProgressBar.format(elapsed.dividedBy(worked).multipliedBy(total - index)));
            }
        writeReports(state);
        System.err.println("study " + study.name() + ": " + out.resolve("report.md") + " (report.json, score.png, objects.png, samples.png beside it)");
    }

    /** The listed steps the run reached, and its last step when eval.final. */
    private List<Long> evalSteps(RunRecord run) {
        Set<Long> steps = new LinkedHashSet<>();
        for (long s : study.eval().steps()) if (s <= run.finalStep()) steps.add(s);
        if (study.eval().atEnd()) steps.add(run.finalStep());
        return steps.stream().sorted().toList();
    }

    private RunRecord train(String name, String variant, int seed, RunRecord run) throws IOException {
        Path dir = runDir(variant, seed);
        TrainConfig cfg = study.trainConfig(variant, seed);
        boolean resume = Files.isDirectory(dir) && CheckpointStore.latestIn(dir).isPresent();
        System.err.printf("study %s: %s: %s%s%n", study.name(), name, study.describe(variant), resume ? " (resuming " + dir + ")" : "");
        try (Trainer trainer = new Trainer(cfg, dir, study.maxSteps(variant), cfg.trainer().loggingSteps(), resume ? dir : null)) {
            trainer.checkpointAlsoAt(study.eval().steps());
            trainer.progressLabel(name);
            trainer.train();
            return new RunRecord(variant, seed, true, trainer.step(), trainer.trainSeconds() / 60, Instant.now().toString(), run.evals());
        }
    }

    private EvalRecord evaluate(String name, String variant, int seed, long step) throws IOException {
        Path dir = runDir(variant, seed), checkpoint = dir.resolve("checkpoints").resolve(CheckpointStore.name(step));
        if (!Files.isRegularFile(checkpoint.resolve("trainer/state.json")))
            throw new IOException(checkpoint + ": no checkpoint to evaluate (was the run folder changed?)");
        Study.Eval e = study.eval();
        ShapesBenchmark.Result result;
        try (FuseDiTPipeline pipe = FuseDiTPipeline.load(checkpoint)) {
            result = ShapesBenchmark.run(pipe, prompts, new ShapesEvaluator(e.samples()), e.sampleOptions(), e.batch(), "eval " + name + " step " + step);
        }
        ShapesReport report = result.report();
        Path evalDir = dir.resolve("evals").resolve(CheckpointStore.name(step));
        report.write(evalDir.resolve("report.json"));
        result.writeVerdictGrid(evalDir.resolve("report-grid.png"));
        for (int p : gridPrompts) result.image(p, 0).writePng(gridCell(evalDir, p));
        Map<String, Double> categories = new LinkedHashMap<>();
        report.categories().forEach((c, score) -> categories.put(c.id(), score));
        EvalRecord record = new EvalRecord(step, Trainer.trainSecondsAt(checkpoint) / 60, report.overall(), categories,
                report.objectsPerImage(null), report.extraShare(null), Instant.now().toString());
        System.err.printf("study %s: %s step %d: overall %.3f, %.2f objects per image (%.2f of them extra)%n", study.name(), name, step,
                record.overall(), record.objectsPerImage(), record.extraShare());
        return record;
    }

    private static Path gridCell(Path evalDir, int prompt) {
        return evalDir.resolve("grid").resolve(String.format("%03d.png", prompt));
    }

    /** report.json, report.md, the plots and the sample grid from what the state holds. */
    private void writeReports(StudyState state) throws IOException {
        List<String> variants = List.copyOf(study.variants().keySet());
        List<RunRecord> runs = state.runs().stream()
                .filter(r -> study.variants().containsKey(r.variant()) && study.seeds().contains(r.seed()))
                .sorted(Comparator.comparingInt((RunRecord r) -> variants.indexOf(r.variant())).thenComparingInt(r -> study.seeds().indexOf(r.seed())))
                .toList();
        Set<Long> listed = new LinkedHashSet<>(study.eval().steps());
        if (study.steps() > 0) listed.add((long) study.steps());
        List<StudyReport.Row> rows = StudyReport.aggregate(variants, listed, runs);
        Map<String, String> descriptions = new LinkedHashMap<>();
        for (String v : variants) descriptions.put(v, study.describe(v));
        AtomicFiles.writeString(out.resolve("report.json"), StudyReport.json(runs));
        AtomicFiles.writeString(out.resolve("report.md"), StudyReport.markdown("Study " + study.name(), header(), descriptions, rows));
        StudyReport.plots(variants, rows, runs, out);
        writeSampleGrid(variants, runs);
    }

    private List<String> header() {
        Study.Eval e = study.eval();
        List<String> lines = new ArrayList<>();
        if (study.tree().hasNonNull("description")) lines.add(study.tree().get("description").asText().strip() + "\n");
        lines.add("`" + study.file() + "`: base `" + study.base() + "`"
                + (study.common().isEmpty() ? "" : " with " + String.join(", ", study.common().stream().map(Object::toString).toList()))
                + "; seeds " + String.join(", ", study.seeds().stream().map(String::valueOf).toList()) + "; each run "
                + (study.steps() > 0 ? String.format("%,d steps", study.steps()) : "") + (study.steps() > 0 && study.minutes() > 0 ? " or " : "")
                + (study.minutes() > 0 ? study.minutes() + " training minutes" : "") + (study.steps() > 0 && study.minutes() > 0 ? ", whichever comes first" : "") + ".");
        lines.add("Evaluated on " + prompts.size() + " prompts" + (e.prompts() != null ? " of `" + e.prompts() + "`" : "")
                + (e.promptsPerCategory() == 1 ? " (the first of each category)" : e.promptsPerCategory() > 1 ? " (the first " + e.promptsPerCategory() + " of each category)" : "") + ", " + e.samples()
                + (e.samples() == 1 ? " sample" : " samples") + " a prompt, guidance " + (e.guidance() == null ? "the model's" : e.guidance()) + ", " + e.samplingSteps() + " sampling steps"
                + (e.stochastic() == null ? "" : e.stochastic() ? ", stochastic sampler" : ", Euler sampler") + ".");
        return lines;
    }

    /** samples.png: a row per grid prompt, a column per variant: its first seed's last evaluated checkpoint, sample 0 of each prompt. */
    private void writeSampleGrid(List<String> variants, List<RunRecord> runs) throws IOException {
        List<String> columns = new ArrayList<>();
        List<Path> evalDirs = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        for (String v : variants) {
            RunRecord first = runs.stream().filter(r -> r.variant().equals(v) && !r.evals().isEmpty()).findFirst().orElse(null);
            if (first == null) continue;
            long step = first.evals().getLast().step();
            columns.add(v + " seed " + first.seed());
            steps.add(step);
            evalDirs.add(runDir(v, first.seed()).resolve("evals").resolve(CheckpointStore.name(step)));
        }
        if (columns.isEmpty()) return;
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int p : gridPrompts)
            for (int c = 0; c < columns.size(); c++) {
                cells.add(ImageGrid.enlarge(RgbImage.readPng(gridCell(evalDirs.get(c), p)).toBufferedImage(), GRID_SCALE));
                captions.add(columns.get(c) + " @" + steps.get(c) + ": " + prompts.get(p).text());
            }
        PngWriter.write(ImageGrid.compose(cells, gridPrompts.size(), columns.size(), 8, captions), out.resolve("samples.png"));
    }
}
