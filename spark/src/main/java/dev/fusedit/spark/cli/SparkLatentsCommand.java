package dev.fusedit.spark.cli;

import dev.fusedit.spark.SparkLatentsJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `fusedit spark latents`: {@link SparkLatentsJob}, one task per shard. */
@Command(name = "latents", mixinStandardHelpOptions = true,
        description = {"Encode WebDataset shards to VAE latents once: OUT/NAME.tar per shard, read by `fusedit train` with data.source: latents.",
                "A rerun skips the shards already written."})
final class SparkLatentsCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "the shards, e.g. \"shards/{000..099}.tar\" (as data.data_path)")
    String data;

    @Option(names = "--vae", required = true, description = "the VAE folder (config.json and weights)")
    Path vae;

    @Option(names = "--out", required = true, description = "folder for the latent shards")
    Path out;

    @Option(names = "--resolution", defaultValue = "256", description = "image size before encoding, centre-cropped (default ${DEFAULT-VALUE})")
    int resolution;

    @Option(names = "--image-column", defaultValue = "jpg", description = "the image member's extension (default ${DEFAULT-VALUE})")
    String imageColumn;

    @Option(names = "--caption-column", defaultValue = "txt", description = "the caption member's extension (default ${DEFAULT-VALUE})")
    String captionColumn;

    @Option(names = "--original-caption-column", description = "a second caption member to keep (data.caption_column's original)")
    String originalCaptionColumn;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    public Integer call() throws Exception {
        var settings = new SparkLatentsJob.Settings(data, vae, out, resolution, imageColumn, captionColumn, originalCaptionColumn);
        SparkSession spark = cluster.session("fusedit spark latents");
        SparkLatentsJob.Summary s;
        try {
            s = SparkLatentsJob.run(spark, settings);
        } finally {
            cluster.release(spark);
        }
        long samples = 0, skipped = 0;
        for (var r : s.shards()) {
            if (r.reused()) continue;
            samples += r.samples();
            skipped += r.skipped();
            if (r.samples() == 0) System.err.println("no usable sample in " + r.shard() + " (nothing written for it)");
        }
        System.err.printf("%d shards: %d encoded now (%d samples, %d skipped as corrupt or incomplete), %d already there; %.1f s, %.2f shards/s%n",
                s.shards().size(), s.encoded(), samples, skipped, s.shards().size() - s.encoded(), s.seconds(), s.encoded() / s.seconds());
        if (!s.missing().isEmpty()) System.err.println(s.missing().size() + " shards named by --data do not exist (first: " + s.missing().getFirst() + ")");
        System.err.println("train on them with data.source: latents, data.data_path: \"" + out + "/...\" and vae.path: " + vae);
        return 0;
    }
}
