package dev.fusedit.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.shapes.ShapesVocabulary;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.data.LatentShards;
import dev.fusedit.training.data.NpyFloats;
import dev.fusedit.training.data.TarShardScanner;
import dev.fusedit.training.data.TestShards;
import dev.fusedit.training.progress.MetricsLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * data.source latents: shards written by {@link LatentShards} train exactly as the images they came
 * from do when the trainer runs the VAE encoder itself (same seed, same losses), without the encoder.
 */
class PrecomputedLatentsTrainingTest {
    @TempDir
    static Path dir;
    static Path tokenizer, vae;

    @BeforeAll
    static void writeShardsVaeAndTokenizer() throws IOException {
        tokenizer = dir.resolve("tokenizer.json");
        ShapesVocabulary.tokenizer().save(tokenizer);
        vae = TinyVae.write(dir);
        String[] captions = {"a red circle", "a blue square", "two green triangles", "a yellow circle left of a red square", "a purple square"};
        TestShards.Tar tar = TestShards.captionedImages(captions);
        tar.write(dir.resolve("train-0000.tar"));
    }

    private static Path config(String name, String source, String pattern) throws IOException {
        Path sub = Files.createDirectories(dir.resolve(name));
        String yaml = Files.readString(TinyTrainingConfig.write(sub, """
                  max_steps: 2
                  checkpointing_steps: 2
                  logging_steps: 1
                  seed: 3
                """, "", """
                data:
                  source: "%s"
                  data_path: "%s"
                  image_column: "image.png"
                  caption_column: "txt"
                  batch_size: 2
                  resolution: 32
                  center_crop: true
                  random_dropping_rate: 0.3
                  max_prompt_length: 10
                  tokenizer: "%s"
                vae:
                  path: "%s"
                """.formatted(source, pattern, tokenizer.toString().replace("\\", "/"), vae.toString().replace("\\", "/"))));
        return Files.writeString(sub.resolve("tiny.yaml"), yaml.replace("in_channels: 3", "in_channels: 4")
                .replace("out_channels: 3", "out_channels: 4").replace("sample_size: 32", "sample_size: 16"));
    }

    private static List<Double> losses(Path yaml, Path out) throws IOException {
        try (Trainer t = new Trainer(TrainConfig.read(yaml), out, 2, 1, null)) {
            t.train();
        }
        List<Double> losses = new ArrayList<>();
        for (JsonNode r : MetricsLog.read(out.resolve("metrics.jsonl"))) losses.add(r.get("loss").asDouble());
        return losses;
    }

    @Test
    void trainingFromStoredLatentsGivesTheLossesOfEncodingOnTheFly() throws IOException {
        Path latents = Files.createDirectories(dir.resolve("latents"));
        LatentShards.Result r;
        try (VaeCheckpoint v = VaeCheckpoint.open(vae)) {
            r = LatentShards.encode(dir.resolve("train-0000.tar"), latents.resolve("train-0000.tar"), v.model(), 32, "image.png", "txt", null);
        }
        assertThat(r).isEqualTo(new LatentShards.Result(5, 0));

        List<Double> onTheFly = losses(config("pixels", "webdataset", dir.resolve("train-{0000..0000}.tar").toString()), dir.resolve("pixels/out"));
        List<Double> stored = losses(config("stored", "latents", latents.resolve("train-{0000..0000}.tar").toString()), dir.resolve("stored/out"));
        assertThat(onTheFly).hasSize(2);
        assertThat(stored).isEqualTo(onTheFly);
        // the checkpoint samples like any latent-space pipeline: the VAE is in it
        assertThat(dir.resolve("stored/out/checkpoints/step-0000002/vae/config.json")).isRegularFile();
    }

    @Test
    void corruptAndIncompleteSamplesAreSkippedAndCounted() throws IOException {
        TestShards.Tar tar = new TestShards.Tar();
        tar.add("k/a.image.png", TestShards.png(32, 32, (x, y) -> 0xFF0000)).add("k/a.txt", "a red square");
        tar.add("k/b.image.png", "not a png".getBytes()).add("k/b.txt", "a broken image");
        tar.add("k/c.txt", "a caption without its image");
        tar.add("k/d.image.png", TestShards.png(40, 24, (x, y) -> 0x0000FF)).add("k/d.txt", "a blue square");
        Path in = tar.write(dir.resolve("mixed.tar")), out = dir.resolve("mixed-latents.tar");
        try (VaeCheckpoint v = VaeCheckpoint.open(vae)) {
            assertThat(LatentShards.encode(in, out, v.model(), 32, "image.png", "txt", null)).isEqualTo(new LatentShards.Result(2, 2));
        }
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(out)) {
            TarShardScanner.scan(out, m -> {
                names.add(m.name());
                if (m.name().endsWith(".npy")) {
                    try {
                        shapes.add(NpyFloats.decode(TarShardScanner.readBytes(ch, m.dataOffset(), (int) m.size())).shape());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
        }
        assertThat(names).containsExactly("k/a.latent.npy", "k/a.txt", "k/d.latent.npy", "k/d.txt");
        assertThat(shapes).allSatisfy(s -> assertThat(s).containsExactly(8, 16, 16));
    }

    @Test
    void storedLatentsWithoutTheirVaeAreRefused() throws IOException {
        Path latents = Files.createDirectories(dir.resolve("novae"));
        try (VaeCheckpoint v = VaeCheckpoint.open(vae)) {
            LatentShards.encode(dir.resolve("train-0000.tar"), latents.resolve("t-0.tar"), v.model(), 32, "image.png", "txt", null);
        }
        Path yaml = config("novae", "latents", latents.resolve("t-{0..0}.tar").toString());
        Files.writeString(yaml, Files.readString(yaml).replaceAll("(?s)vae:\\n  path: \"[^\"]*\"\\n", ""));
        assertThatThrownBy(() -> new Trainer(TrainConfig.read(yaml), dir.resolve("novae/out"), 2, 1, null).close())
                .isInstanceOf(IOException.class).hasMessageContaining("data.source latents needs the vae section");
    }
}
