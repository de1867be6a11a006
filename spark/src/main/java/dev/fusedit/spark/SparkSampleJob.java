package dev.fusedit.spark;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Images for a table of prompts, spread over a Spark cluster: PNG files under OUT/images and a
 * Parquet manifest OUT/manifest.parquet with one row per image (prompt, seed, image path relative
 * to OUT, model, steps, guidance, seconds). Each executor JVM loads the pipeline once
 * ({@link ModelCache}); each task samples its prompts in passes of {@code batch} images. The
 * pixels of a (prompt, seed) are those of `fusedit sample` on one machine.
 * <pre>{@code
 * SparkSession spark = FuseditSpark.session("local[*]", "catalogue");
 * List<PromptTable.Prompt> prompts = PromptTable.read(spark, Path.of("prompts.csv"), 0, 1, "");
 * SparkSampleJob.Summary s = SparkSampleJob.run(spark, prompts,
 *         new SparkSampleJob.Settings(Path.of("models/shapes-tiny"), Path.of("out"), SamplingSettings.defaults(8), 0));
 * Dataset<Row> manifest = spark.read().parquet(s.manifest().toString());
 * }</pre>
 * A task that runs twice (a lost executor, speculation) writes the same bytes to the same PNG
 * names, atomically; the manifest rows are written by Spark's commit protocol in the same stage,
 * so only one attempt of each task is in it. A rerun reuses the PNGs already written: their
 * manifest rows have no seconds.
 */
public final class SparkSampleJob {
    /** The manifest's columns. */
    public static final StructType MANIFEST_SCHEMA = new StructType()
            .add("prompt", DataTypes.StringType, false)
            .add("seed", DataTypes.LongType, false)
            .add("image", DataTypes.StringType, false)
            .add("model", DataTypes.StringType, false)
            .add("steps", DataTypes.IntegerType, false)
            .add("guidance", DataTypes.DoubleType, false)
            .add("seconds", DataTypes.DoubleType, true)
            .add("negative_prompt", DataTypes.StringType, false)
            .add("row", DataTypes.LongType, false)
            .add("image_index", DataTypes.IntegerType, false);

    /**
     * @param model      the pipeline folder (every executor must read it at this path)
     * @param out        where images/ and manifest.parquet go (shared by the executors)
     * @param sampling   steps, guidance, sampler and images per pass
     * @param partitions tasks to split the prompts into; 0 = the cluster's default parallelism (its cores)
     */
    public record Settings(Path model, Path out, SamplingSettings sampling, int partitions) {}

    /** What a run did: images in the manifest, how many were made now (the others were there), wall time, the manifest. */
    public record Summary(long images, long generated, double seconds, Path manifest) {}

    /** What a task needs, in serializable form (paths as absolute strings). */
    private record TaskSpec(String model, String out, SamplingSettings sampling) implements Serializable {}

    private SparkSampleJob() {}

    /** Where image {@code k} of prompt row {@code row} goes, relative to the output folder. */
    public static String imagePath(long row, int k) {
        return String.format("images/%06d_%d.png", row, k);
    }

    public static Summary run(SparkSession spark, List<PromptTable.Prompt> prompts, Settings settings) throws IOException {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts given");
        Path model = settings.model().toAbsolutePath().normalize();
        if (!Files.isRegularFile(model.resolve("model_index.json")))
            throw new IOException(model + ": not a pipeline folder (no model_index.json)");
        Path out = settings.out().toAbsolutePath().normalize();
        Files.createDirectories(out.resolve("images"));
        TaskSpec spec = new TaskSpec(model.toString(), out.toString(), settings.sampling().withGuidanceOf(model));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // one task a core: a task batches its prompts, and an executor runs one denoising pass at a time anyway
        int partitions = settings.partitions() > 0 ? settings.partitions() : jsc.defaultParallelism();
        partitions = Math.max(1, Math.min(partitions, prompts.size()));
        long start = System.nanoTime();
        // The write's tasks are the job's result tasks, whose accumulator updates Spark applies once
        // per partition however often a task runs: the count of the committed attempts, without a
        // query of the manifest after the job.
        LongAccumulator generated = spark.sparkContext().longAccumulator("images made now");
        JavaRDD<Row> rows = jsc.parallelize(prompts, partitions).mapPartitions(part -> samplePartition(part, spec, generated));
        Path manifest = out.resolve("manifest.parquet");
        spark.createDataFrame(rows, MANIFEST_SCHEMA).write().mode(SaveMode.Overwrite).parquet(manifest.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        long images = prompts.stream().mapToLong(PromptTable.Prompt::images).sum();
        return new Summary(images, generated.value(), seconds, manifest);
    }

    /** One image of a prompt row, before it has a manifest row. */
    private record Image(String prompt, long seed, String negativePrompt, long row, int k) {
        /** Its manifest row; {@code seconds} null for an image that was on disk already. */
        Row manifestRow(TaskSpec spec, Double seconds) {
            return RowFactory.create(prompt, seed, imagePath(row, k), spec.model(), spec.sampling().steps(), spec.sampling().guidance(),
                    seconds, negativePrompt, row, k);
        }
    }

    /** One task: the images of its prompts that are not on disk yet, in batches, and a manifest row for every image. */
    private static Iterator<Row> samplePartition(Iterator<PromptTable.Prompt> part, TaskSpec spec, LongAccumulator generated) throws IOException {
        Path out = Path.of(spec.out());
        List<Row> manifest = new ArrayList<>();
        List<BatchSampler.Request<Image>> missing = new ArrayList<>();
        while (part.hasNext()) {
            PromptTable.Prompt p = part.next();
            for (int k = 0; k < p.images(); k++) {
                Image image = new Image(p.prompt(), p.seed() + k, p.negativePrompt(), p.row(), k);
                if (Files.isRegularFile(out.resolve(imagePath(p.row(), k)))) manifest.add(image.manifestRow(spec, null));
                else missing.add(new BatchSampler.Request<>(image.prompt(), image.seed(), image.negativePrompt(), image));
            }
        }
        if (!missing.isEmpty()) {
            FuseDiTPipeline pipe = ModelCache.pipeline(spec.model());
            for (BatchSampler.Made<Image> m : BatchSampler.sample(pipe, missing, spec.sampling())) {
                Image image = m.tag();
                m.image().writePng(out.resolve(imagePath(image.row(), image.k())));
                manifest.add(image.manifestRow(spec, m.seconds()));
            }
            generated.add(missing.size());
        }
        return manifest.iterator();
    }
}
