package dev.fusedit.spark;

import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.training.TinyVae;
import dev.fusedit.training.data.LatentShards;
import dev.fusedit.training.data.TestShards;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `spark latents` in local[2]: a task per shard, the shards LatentShards writes on one machine, reruns that skip what is written. */
class SparkLatentsJobTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path vae;

    @BeforeAll
    static void shardsAndVae() throws IOException {
        spark = LocalSpark.session();
        vae = TinyVae.write(dir);
        Path shards = Files.createDirectories(dir.resolve("shards"));
        for (int s = 0; s < 3; s++) {
            TestShards.Tar tar = new TestShards.Tar();
            for (int i = 0; i < 3; i++) {
                int colour = 0x305070 * (s * 3 + i + 1);
                String key = "s%d/%04d".formatted(s, i);
                // the middle sample of shard 1 is damaged: counted and skipped
                byte[] image = s == 1 && i == 1 ? "no image here".getBytes() : TestShards.png(32 + 4 * i, 32, (x, y) -> (x * y) % 7 < 3 ? colour : 0xFFFFFF);
                tar.add(key + ".jpg", image).add(key + ".txt", "caption " + s + " " + i);
            }
            tar.write(shards.resolve("%03d.tar".formatted(s)));
        }
    }

    @Test
    void eachShardIsEncodedOnceAsOnOneMachine() throws IOException {
        Path out = dir.resolve("latents");
        var settings = new SparkLatentsJob.Settings(dir.resolve("shards") + "/{000..003}.tar", vae, out, 32, "jpg", "txt", null);
        SparkLatentsJob.Summary first = SparkLatentsJob.run(spark, settings);
        assertThat(first.missing()).containsExactly(dir.resolve("shards/003.tar").toString());
        List<SparkLatentsJob.ShardResult> results = first.shards().stream().sorted(Comparator.comparing(SparkLatentsJob.ShardResult::shard)).toList();
        assertThat(results).extracting(SparkLatentsJob.ShardResult::samples).containsExactly(3, 2, 3);
        assertThat(results).extracting(SparkLatentsJob.ShardResult::skipped).containsExactly(0, 1, 0);
        assertThat(first.encoded()).isEqualTo(3);

        // the bytes LatentShards writes in this JVM, without Spark
        try (VaeCheckpoint v = VaeCheckpoint.open(vae)) {
            for (int s = 0; s < 3; s++) {
                Path expected = dir.resolve("expected-%d.tar".formatted(s));
                LatentShards.encode(dir.resolve("shards/%03d.tar".formatted(s)), expected, v.model(), 32, "jpg", "txt", null);
                assertThat(Files.readAllBytes(out.resolve("%03d.tar".formatted(s)))).isEqualTo(Files.readAllBytes(expected));
            }
        }

        // a rerun skips every written shard; a shard whose output went missing is encoded again
        FileTime kept = Files.getLastModifiedTime(out.resolve("000.tar"));
        Files.delete(out.resolve("002.tar"));
        SparkLatentsJob.Summary second = SparkLatentsJob.run(spark, settings);
        assertThat(second.encoded()).isEqualTo(1);
        assertThat(second.shards()).filteredOn(r -> !r.reused()).extracting(SparkLatentsJob.ShardResult::output)
                .containsExactly(out.resolve("002.tar").toString());
        assertThat(Files.getLastModifiedTime(out.resolve("000.tar"))).isEqualTo(kept);
        try (var listing = Files.list(out)) {
            assertThat(listing.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("000.tar", "001.tar", "002.tar");
        }
    }
}
