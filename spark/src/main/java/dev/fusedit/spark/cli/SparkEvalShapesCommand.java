package dev.fusedit.spark.cli;

import dev.fusedit.shapes.ShapesBenchmark;
import dev.fusedit.shapes.ShapesEvaluator;
import dev.fusedit.shapes.ShapesPromptFile;
import dev.fusedit.shapes.ShapesReport;
import dev.fusedit.spark.SparkShapesEvalJob;
import dev.fusedit.tensor.Settings;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `fusedit spark eval-shapes`: {@link SparkShapesEvalJob}, writing what `fusedit eval-shapes` writes. */
@Command(name = "eval-shapes", mixinStandardHelpOptions = true,
        description = {"The shapes benchmark with its images made by Spark tasks; the same report.json (and grid) as `fusedit eval-shapes`."})
final class SparkEvalShapesCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "pipeline folder (every executor must read it at this path)")
    Path model;

    @Option(names = "--prompts", description = "benchmark prompt file (default: benchmarks/shapes-eval.jsonl of the checkout)")
    Path promptFile;

    @Option(names = "--samples", defaultValue = "4", description = "samples per prompt (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--out", defaultValue = "report.json", description = "the report to write (default ${DEFAULT-VALUE})")
    Path out;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    SamplingFlags sampling = new SamplingFlags();

    @Override
    public Integer call() throws Exception {
        if (samples < 1) throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
        Path home = Settings.get().homeOrWorkingDirectory();
        var prompts = ShapesPromptFile.read(promptFile != null ? promptFile : home.resolve(ShapesPromptFile.DEFAULT));
        var settings = sampling.settings();
        SparkSession spark = cluster.session("fusedit spark eval-shapes");
        ShapesBenchmark.Result result;
        try {
            result = SparkShapesEvalJob.run(spark, model, prompts, new ShapesEvaluator(samples), settings, cluster.partitions);
        } finally {
            cluster.release(spark);
        }
        ShapesReport report = result.report();
        System.out.print(report.table());
        Path grid = result.writeReportAndGrid(out);
        System.err.println("wrote " + out + " and " + grid);
        return 0;
    }
}
