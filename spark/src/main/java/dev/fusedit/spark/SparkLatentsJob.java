package dev.fusedit.spark;

import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.training.data.LatentShards;
import dev.fusedit.training.data.ShardPattern;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A WebDataset corpus encoded to VAE latents once, one Spark task per shard: OUT/NAME.tar for each
 * input shard NAME.tar, in the layout of {@link LatentShards}, which `fusedit train` reads with
 * {@code data.source: latents} (and the same vae.path) instead of running the encoder every epoch.
 * Each output is written atomically, so a shard is either done or absent; a rerun (or a task
 * re-executed after a lost executor) skips the shards already written.
 * <pre>{@code
 * SparkSession spark = FuseditSpark.session("local[*]", "latents");
 * SparkLatentsJob.Summary s = SparkLatentsJob.run(spark, new SparkLatentsJob.Settings("shards/{000..099}.tar",
 *         Path.of("vae"), Path.of("latents"), 256, "jpg", "txt", null));
 * }</pre>
 */
public final class SparkLatentsJob {
    /**
     * @param dataPattern           the shards, as data.data_path names them (brace ranges, '::' between sources)
     * @param vae                   the VAE folder (config.json and weights; every executor must read it)
     * @param out                   where the latent shards go (shared by the executors)
     * @param resolution            images are resized and centre-cropped to this size before encoding
     * @param imageColumn           the image member's extension, e.g. "jpg"
     * @param captionColumn         the caption member's extension, e.g. "txt"
     * @param originalCaptionColumn a second caption member to keep, or null
     */
    public record Settings(String dataPattern, Path vae, Path out, int resolution, String imageColumn, String captionColumn,
                           String originalCaptionColumn) {}

    /** One shard's outcome; {@code reused}: its output was there already (then samples and skipped are not known: -1). */
    public record ShardResult(String shard, String output, int samples, int skipped, boolean reused, double seconds) implements Serializable {}

    /** Every shard's outcome, the shards the pattern named that do not exist, and the job's wall time. */
    public record Summary(List<ShardResult> shards, List<String> missing, double seconds) {
        public long encoded() {
            return shards.stream().filter(s -> !s.reused()).count();
        }
    }

    /** What a task needs, in serializable form. */
    private record TaskSpec(String vae, String out, int resolution, String imageColumn, String captionColumn, String originalCaptionColumn)
            implements Serializable {}

    private SparkLatentsJob() {}

    public static Summary run(SparkSession spark, Settings s) throws IOException {
        if (s.resolution() < 1) throw new IllegalArgumentException("resolution must be positive, got " + s.resolution());
        Path vae = s.vae().toAbsolutePath().normalize();
        if (!Files.isRegularFile(vae.resolve("config.json"))) throw new IOException(vae + ": not a VAE folder (no config.json)");
        ShardPattern.Shards shards = ShardPattern.resolve(s.dataPattern(), Path.of("").toAbsolutePath());
        if (shards.existing().isEmpty()) throw new IOException(s.dataPattern() + ": no such shards (first missing: " + shards.missing().getFirst() + ")");
        Set<String> names = new HashSet<>();
        List<String> inputs = new ArrayList<>();
        for (Path p : shards.existing()) {
            if (!names.add(p.getFileName().toString()))
                throw new IOException(s.dataPattern() + ": two shards are named " + p.getFileName() + "; their latent shards would overwrite each other in " + s.out());
            inputs.add(p.toAbsolutePath().normalize().toString());
        }
        Path out = Files.createDirectories(s.out().toAbsolutePath().normalize());
        TaskSpec spec = new TaskSpec(vae.toString(), out.toString(), s.resolution(), s.imageColumn(), s.captionColumn(), s.originalCaptionColumn());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        long start = System.nanoTime();
        List<ShardResult> results = jsc.parallelize(inputs, inputs.size()).map(shard -> encodeShard(shard, spec)).collect();
        return new Summary(results, shards.missing(), (System.nanoTime() - start) / 1e9);
    }

    /** One task: the shard's latent shard, unless it is written already. */
    private static ShardResult encodeShard(String shard, TaskSpec spec) throws IOException {
        Path in = Path.of(shard), out = Path.of(spec.out()).resolve(in.getFileName());
        if (Files.isRegularFile(out)) return new ShardResult(shard, out.toString(), -1, -1, true, 0);
        VaeCheckpoint vae = ModelCache.vae(spec.vae());
        long start = System.nanoTime();
        LatentShards.Result r;
        synchronized (vae) {
            r = LatentShards.encode(in, out, vae.model(), spec.resolution(), spec.imageColumn(), spec.captionColumn(), spec.originalCaptionColumn());
        }
        return new ShardResult(shard, out.toString(), r.samples(), r.skipped(), false, (System.nanoTime() - start) / 1e9);
    }
}
