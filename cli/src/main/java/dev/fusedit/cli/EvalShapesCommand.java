package dev.fusedit.cli;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.GeneratedImage;
import dev.fusedit.model.pipeline.PngWriter;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.model.pipeline.SamplingListener;
import dev.fusedit.model.progress.ProgressBar;
import dev.fusedit.shapes.Category;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.shapes.SampleGrid;
import dev.fusedit.shapes.ShapesEvaluator;
import dev.fusedit.shapes.ShapesPrompt;
import dev.fusedit.shapes.ShapesPromptFile;
import dev.fusedit.shapes.ShapesReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * `fusedit eval-shapes`: the shapes benchmark (GenEval-style scores per category) with a pipeline
 * as the image generator. All images are generated first, many per denoising pass, then handed to
 * {@link ShapesEvaluator} by seed (the evaluator gives every sample of a run its own seed).
 */
@Command(name = "eval-shapes", mixinStandardHelpOptions = true,
        description = {"Score a model on the shapes benchmark: per-category and overall pass rates (GenEval style).",
                "Writes report.json {overall, categories, samples, objects_per_image, mentioned_per_image}, a grid PNG beside it, and with --images-dir every sample."})
final class EvalShapesCommand implements Callable<Integer> {
    /** Samples shown in the grid PNG; the full set is in --images-dir. */
    private static final int GRID_SAMPLES = 64, GRID_COLUMNS = 8, GRID_SCALE = 4;

    @Option(names = "--model", description = "pipeline folder (default: the bundled models/shapes-tiny)")
    Path model;

    @Option(names = "--prompts", description = "benchmark prompt file (default: benchmarks/shapes-eval.jsonl of the checkout)")
    Path promptFile;

    @Option(names = "--samples", defaultValue = "4", description = "samples per prompt (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--out", defaultValue = "report.json", description = "the report to write (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--images-dir", description = "write every sample as DIR/{prompt index:03d}_{sample index}.png")
    Path imagesDir;

    @Option(names = "--batch", defaultValue = "32", description = "images per denoising pass (guidance doubles the model batch) (default ${DEFAULT-VALUE})")
    int batch;

    @Mixin
    BackendOption backend = new BackendOption();

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Override
    public Integer call() throws Exception {
        if (samples < 1) throw new CliException("--samples must be at least 1, got " + samples);
        int steps = sampling.steps();
        if (batch < 1) throw new CliException("--batch must be at least 1, got " + batch);
        backend.apply();
        SampleOptions base = sampling.applyTo(SampleOptions.defaults());
        Path dir = ModelLocator.model(model);
        List<ShapesPrompt> prompts = ShapesPromptFile.read(promptFile != null ? promptFile : ModelLocator.inHome(ShapesPromptFile.DEFAULT));
        ShapesEvaluator evaluator = new ShapesEvaluator(samples);

        List<String> texts = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++)
            for (long s : evaluator.seeds(i)) {
                texts.add(prompts.get(i).text());
                seeds.add(s);
            }
        Map<Long, RgbImage> bySeed = new HashMap<>();
        try (FuseDiTPipeline pipe = FuseDiTPipeline.load(dir)) {
            int passes = (texts.size() + batch - 1) / batch;
            ProgressBar bar = new ProgressBar("eval-shapes", 0, (long) passes * steps, Math.max(1, steps));
            for (int pass = 0; pass < passes; pass++) {
                int from = pass * batch, to = Math.min(texts.size(), from + batch);
                long[] chunkSeeds = seeds.subList(from, to).stream().mapToLong(Long::longValue).toArray();
                long done = (long) pass * steps;
                SampleOptions opts = base.withListener(new SamplingListener() {
                    @Override
                    public void onStep(int step, int total) {
                        bar.update(done + step, "images " + to + "/" + texts.size());
                    }
                });
                for (GeneratedImage g : pipe.generateEach(texts.subList(from, to), chunkSeeds, opts))
                    bySeed.put(g.seed(), g.image());
            }
        }
        ShapesReport report = evaluator.evaluate(prompts, (text, s) -> {
            List<RgbImage> images = new ArrayList<>();
            for (long seed : s) images.add(bySeed.get(seed));
            return images;
        });

        printTable(report);
        report.write(out);
        Path gridFile = gridPath(out);
        writeGrid(report, bySeed, gridFile);
        if (imagesDir != null)
            for (ShapesReport.SampleResult r : report.results())
                PngWriter.write(bySeed.get(r.seed()).toBufferedImage(),
                        imagesDir.resolve(String.format("%03d_%d.png", r.promptIndex(), r.seed() - evaluator.seeds(r.promptIndex())[0])));
        System.err.println("wrote " + out + " and " + gridFile + (imagesDir != null ? " and " + report.samples() + " PNGs in " + imagesDir : ""));
        return 0;
    }

    /** report.json → report-grid.png beside it. */
    static Path gridPath(Path report) {
        String name = report.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return report.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + "-grid.png");
    }

    private static void printTable(ShapesReport report) {
        Map<Category, int[]> tally = new EnumMap<>(Category.class);
        for (ShapesReport.SampleResult r : report.results()) {
            int[] t = tally.computeIfAbsent(r.prompt().category(), c -> new int[2]);
            if (r.passed()) t[0]++;
            t[1]++;
        }
        // objects found per image against the number the prompts name: extra objects pass every check but counting's
        System.out.printf("%-16s %7s %9s  %s%n", "category", "score", "passed", "objects/image (named)");
        report.categories().forEach((c, score) -> System.out.printf("%-16s %7.3f %4d/%-4d  %5.2f (%.2f)%n", c.id(), score, tally.get(c)[0], tally.get(c)[1],
                report.objectsPerImage(c), report.mentionedPerImage(c)));
        System.out.printf("%-16s %7.3f %9s  %5.2f (%.2f)%n", "overall", report.overall(), report.samples() + " samples",
                report.objectsPerImage(null), report.mentionedPerImage(null));
    }

    /** The first samples with their prompt and verdict. */
    private static void writeGrid(ShapesReport report, Map<Long, RgbImage> bySeed, Path file) throws java.io.IOException {
        List<RgbImage> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (ShapesReport.SampleResult r : report.results().subList(0, Math.min(GRID_SAMPLES, report.results().size()))) {
            images.add(bySeed.get(r.seed()));
            captions.add((r.passed() ? "PASS " : "FAIL ") + r.prompt().text());
        }
        PngWriter.write(SampleGrid.draw(images, captions, Math.min(GRID_COLUMNS, images.size()), GRID_SCALE), file);
    }
}
