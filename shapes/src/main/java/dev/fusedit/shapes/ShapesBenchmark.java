package dev.fusedit.shapes;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.GeneratedImage;
import dev.fusedit.model.pipeline.PngWriter;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.model.pipeline.SamplingListener;
import dev.fusedit.model.progress.ProgressBar;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shapes benchmark with a pipeline as the image generator (what `fusedit eval-shapes` and
 * `fusedit study` run): every image is generated first, {@code batch} of them per denoising pass
 * with a progress line on stderr, then handed to {@link ShapesEvaluator} by seed (each sample of a
 * run has its own seed, so batching does not change an image).
 */
public final class ShapesBenchmark {
    /** Images per denoising pass (guidance doubles the model batch). */
    public static final int DEFAULT_BATCH = 32;
    /** Samples shown in the verdict grid; the full set is written by {@link Result#writeSamples}. */
    private static final int GRID_SAMPLES = 64, GRID_COLUMNS = 8, GRID_SCALE = 4;

    private ShapesBenchmark() {}

    /** The report and every image it scored, by seed. */
    public record Result(ShapesReport report, ShapesEvaluator evaluator, Map<Long, RgbImage> images) {
        public Result {
            images = Map.copyOf(images);
        }

        /** The sample of prompt {@code promptIndex} with sample index {@code sample} (0-based). */
        public RgbImage image(int promptIndex, int sample) {
            return images.get(evaluator.seeds(promptIndex)[sample]);
        }

        /** The first samples with their prompt and verdict, as a PNG (eval-shapes' report-grid.png). */
        public void writeVerdictGrid(Path file) throws IOException {
            List<RgbImage> cells = new ArrayList<>();
            List<String> captions = new ArrayList<>();
            for (ShapesReport.SampleResult r : report.results().subList(0, Math.min(GRID_SAMPLES, report.results().size()))) {
                cells.add(images.get(r.seed()));
                captions.add((r.passed() ? "PASS " : "FAIL ") + r.prompt().text());
            }
            PngWriter.write(SampleGrid.draw(cells, captions, Math.min(GRID_COLUMNS, cells.size()), GRID_SCALE), file);
        }

        /**
         * What `eval-shapes` writes: the report as JSON to {@code report} and the verdict grid beside
         * it (report.json → report-grid.png); returns the grid's path.
         */
        public Path writeReportAndGrid(Path report) throws IOException {
            report().write(report);
            Path grid = gridBeside(report);
            writeVerdictGrid(grid);
            return grid;
        }

        /** Where {@link #writeReportAndGrid} puts the grid: NAME-grid.png beside NAME.json. */
        public static Path gridBeside(Path report) {
            String name = report.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return report.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + "-grid.png");
        }

        /** Every sample as DIR/{prompt index:03d}_{sample index}.png. */
        public void writeSamples(Path dir) throws IOException {
            for (ShapesReport.SampleResult r : report.results())
                images.get(r.seed()).writePng(dir.resolve(String.format("%03d_%d.png", r.promptIndex(), r.seed() - evaluator.seeds(r.promptIndex())[0])));
        }
    }

    /**
     * Samples every prompt {@code evaluator}'s number of times with {@code options} (its steps,
     * guidance and sampler; seeds and images per prompt are the evaluator's) and scores the images.
     * {@code label} starts the progress line.
     */
    public static Result run(FuseDiTPipeline pipe, List<ShapesPrompt> prompts, ShapesEvaluator evaluator, SampleOptions options, int batch,
                             String label) throws IOException {
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        List<String> texts = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++)
            for (long s : evaluator.seeds(i)) {
                texts.add(prompts.get(i).text());
                seeds.add(s);
            }
        int steps = options.steps();
        Map<Long, RgbImage> bySeed = new HashMap<>();
        int passes = (texts.size() + batch - 1) / batch;
        ProgressBar bar = new ProgressBar(label, 0, (long) passes * steps, Math.max(1, steps));
        for (int pass = 0; pass < passes; pass++) {
            int from = pass * batch, to = Math.min(texts.size(), from + batch);
            long[] chunkSeeds = seeds.subList(from, to).stream().mapToLong(Long::longValue).toArray();
            long done = (long) pass * steps;
            SampleOptions opts = options.withListener(new SamplingListener() {
                @Override
                public void onStep(int step, int total) {
                    bar.update(done + step, "images " + to + "/" + texts.size());
                }
            });
            for (GeneratedImage g : pipe.generateEach(texts.subList(from, to), chunkSeeds, opts)) bySeed.put(g.seed(), g.image());
        }
        ShapesReport report = evaluator.evaluate(prompts, (text, s) -> {
            List<RgbImage> images = new ArrayList<>();
            for (long seed : s) images.add(bySeed.get(seed));
            return images;
        });
        return new Result(report, evaluator, bySeed);
    }
}
