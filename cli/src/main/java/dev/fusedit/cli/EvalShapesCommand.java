package dev.fusedit.cli;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.shapes.ShapesBenchmark;
import dev.fusedit.shapes.ShapesEvaluator;
import dev.fusedit.shapes.ShapesPrompt;
import dev.fusedit.shapes.ShapesPromptFile;
import dev.fusedit.shapes.ShapesReport;
import dev.fusedit.tensor.io.OutputPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;


import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `fusedit eval-shapes`: the shapes benchmark (GenEval-style scores per category, objects per
 * image and the share of them the prompts do not name) on a pipeline folder, through
 * {@link ShapesBenchmark#run}, as `fusedit study` scores its checkpoints.
 */
@Command(name = "eval-shapes", mixinStandardHelpOptions = true,
        description = {"Score a model on the shapes benchmark: per-category and overall pass rates (GenEval style).",
                "Writes report.json {overall, categories, samples, objects_per_image, mentioned_per_image, extra_share}, a grid PNG beside it, and with --images-dir every sample."})
final class EvalShapesCommand implements Callable<Integer> {
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

    @Option(names = "--batch", defaultValue = "" + ShapesBenchmark.DEFAULT_BATCH, description = "images per denoising pass (guidance doubles the model batch) (default ${DEFAULT-VALUE})")
    int batch;

    @Mixin
    BackendOption backend = new BackendOption();

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Override
    public Integer call() throws Exception {
        if (samples < 1) throw new CliException("--samples must be at least 1, got " + samples);
        if (batch < 1) throw new CliException("--batch must be at least 1, got " + batch);
        // found before the benchmark samples for minutes, not after
        OutputPaths.checkFileWritable(out, "--out");
        OutputPaths.checkFileWritable(ShapesBenchmark.Result.gridBeside(out), "the grid beside --out");
        if (imagesDir != null) OutputPaths.checkFolderWritable(imagesDir, "--images-dir");
        backend.apply();
        SampleOptions options = sampling.applyTo(SampleOptions.defaults());
        Path dir = ModelLocator.model(model);
        List<ShapesPrompt> prompts = ShapesPromptFile.read(promptFile != null ? promptFile : ModelLocator.inHome(ShapesPromptFile.DEFAULT));
        ShapesBenchmark.Result result;
        try (FuseDiTPipeline pipe = FuseDiTPipeline.load(dir)) {
            result = ShapesBenchmark.run(pipe, prompts, new ShapesEvaluator(samples), options, batch, "eval-shapes");
        }
        ShapesReport report = result.report();
        System.out.print(report.table());
        Path gridFile = result.writeReportAndGrid(out);
        if (imagesDir != null) result.writeSamples(imagesDir);
        System.err.println("wrote " + out + " and " + gridFile + (imagesDir != null ? " and " + report.samples() + " PNGs in " + imagesDir : ""));
        return 0;
    }
}
