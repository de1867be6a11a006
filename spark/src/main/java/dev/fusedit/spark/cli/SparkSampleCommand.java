package dev.fusedit.spark.cli;

import dev.fusedit.spark.PromptTable;
import dev.fusedit.spark.SparkSampleJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** `fusedit spark sample`: {@link SparkSampleJob} on a prompts file. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Images for every row of a prompts table (jsonl, csv or parquet: prompt, optional seed, n, negative_prompt).",
                "Writes OUT/images/{row:06d}_{k}.png and OUT/manifest.parquet; a rerun keeps the images already there."})
final class SparkSampleCommand implements Callable<Integer> {
    @Option(names = "--prompts", required = true, description = "the prompts table")
    Path prompts;

    @Option(names = "--model", required = true, description = "pipeline folder (every executor must read it at this path)")
    Path model;

    @Option(names = "--out", required = true, description = "output folder (shared by the executors)")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "rows without a seed: seed + row × images-per-prompt, as `fusedit sample` (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--images-per-prompt", defaultValue = "1", description = "images of rows without n (default ${DEFAULT-VALUE})")
    int imagesPerPrompt;

    @Option(names = "--negative-prompt", defaultValue = "", description = "rows without negative_prompt (default: the empty caption)")
    String negativePrompt;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    SamplingFlags sampling = new SamplingFlags();

    @Override
    public Integer call() throws Exception {
        if (imagesPerPrompt < 1) throw new IllegalArgumentException("--images-per-prompt must be at least 1, got " + imagesPerPrompt);
        var settings = new SparkSampleJob.Settings(model, out, sampling.settings(), cluster.partitions);
        SparkSession spark = cluster.session("fusedit spark sample");
        try {
            List<PromptTable.Prompt> table = PromptTable.read(spark, prompts, seed, imagesPerPrompt, negativePrompt);
            SparkSampleJob.Summary s = SparkSampleJob.run(spark, table, settings);
            System.err.printf("wrote %d images (%d made now) and %s in %.1f s: %.2f images/s%n", s.images(), s.generated(), s.manifest(),
                    s.seconds(), s.generated() / s.seconds());
        } finally {
            cluster.release(spark);
        }
        return 0;
    }
}
