package dev.fusedit.spark;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.shapes.ShapesBenchmark;
import dev.fusedit.shapes.ShapesEvaluator;
import dev.fusedit.shapes.ShapesPrompt;
import dev.fusedit.shapes.ShapesReport;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The shapes benchmark ({@link ShapesBenchmark}) with its images made by Spark tasks: the
 * (prompt, seed) pairs of the evaluator are split over tasks, each image comes back to the driver
 * (a few KiB at the benchmark's sizes), and the driver scores them with the same
 * {@link ShapesEvaluator}, so the report equals the one-machine `fusedit eval-shapes` report.
 * <pre>{@code
 * SparkSession spark = FuseditSpark.session("local[*]", "scores");
 * ShapesBenchmark.Result r = SparkShapesEvalJob.run(spark, Path.of("run/checkpoints/step-0004000"),
 *         ShapesPromptFile.read(Path.of("benchmarks/shapes-eval.jsonl")), new ShapesEvaluator(4), SamplingSettings.defaults(32), 0);
 * r.report().write(Path.of("report.json"));
 * }</pre>
 */
public final class SparkShapesEvalJob {
    /** One image to make for the benchmark. */
    private record Pair(String prompt, long seed) implements Serializable {}

    /** A made image on its way back to the driver. */
    private record Pixels(long seed, int width, int height, byte[] rgb) implements Serializable {}

    private SparkShapesEvalJob() {}

    /**
     * Samples every prompt the evaluator's number of times (its seeds) with {@code sampling} and scores the
     * images. {@code partitions} 0 = the cluster's default parallelism (its cores).
     */
    public static ShapesBenchmark.Result run(SparkSession spark, Path model, List<ShapesPrompt> prompts, ShapesEvaluator evaluator,
                                             SamplingSettings sampling, int partitions) throws IOException {
        Path dir = model.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("model_index.json"))) throw new IOException(dir + ": not a pipeline folder (no model_index.json)");
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++)
            for (long s : evaluator.seeds(i)) pairs.add(new Pair(prompts.get(i).text(), s));
        if (pairs.isEmpty()) throw new IllegalArgumentException("no benchmark prompts given");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int n = Math.max(1, Math.min(partitions > 0 ? partitions : jsc.defaultParallelism(), pairs.size()));
        String modelDir = dir.toString();
        List<Pixels> made = jsc.parallelize(pairs, n).mapPartitions((Iterator<Pair> part) -> samplePartition(part, modelDir, sampling)).collect();
        Map<Long, RgbImage> bySeed = new HashMap<>();
        for (Pixels p : made) bySeed.put(p.seed(), new RgbImage(p.width(), p.height(), p.rgb()));
        ShapesReport report = evaluator.evaluate(prompts, (text, seeds) -> {
            List<RgbImage> images = new ArrayList<>();
            for (long s : seeds) images.add(bySeed.get(s));
            return images;
        });
        return new ShapesBenchmark.Result(report, evaluator, bySeed);
    }

    private static Iterator<Pixels> samplePartition(Iterator<Pair> part, String modelDir, SamplingSettings sampling) throws IOException {
        List<BatchSampler.Request<Long>> requests = new ArrayList<>();
        part.forEachRemaining(p -> requests.add(new BatchSampler.Request<>(p.prompt(), p.seed(), "", p.seed())));
        if (requests.isEmpty()) return List.<Pixels>of().iterator();
        FuseDiTPipeline pipe = ModelCache.pipeline(modelDir);
        List<Pixels> out = new ArrayList<>();
        for (BatchSampler.Made<Long> m : BatchSampler.sample(pipe, requests, sampling)) {
            RgbImage img = m.image().image();
            out.add(new Pixels(m.tag(), img.width(), img.height(), img.pixels()));
        }
        return out.iterator();
    }
}
