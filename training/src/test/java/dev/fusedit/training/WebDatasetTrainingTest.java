package dev.fusedit.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.pipeline.PipelineFolder;
import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.data.TestShards;
import dev.fusedit.training.progress.MetricsLog;
import dev.fusedit.shapes.ShapesVocabulary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `fusedit train` on WebDataset shards: the tiny FuseDiT trains in pixel space at 32×32 from PNG/caption pairs. */
class WebDatasetTrainingTest {
    @TempDir
    static Path dir;
    static Path tokenizer;

    @BeforeAll
    static void writeShardsAndTokenizer() throws IOException {
        tokenizer = dir.resolve("tokenizer.json");
        ShapesVocabulary.tokenizer().save(tokenizer);
        String[] captions = {"a red circle", "a blue square", "two green triangles", "a yellow circle left of a red square", "a purple square"};
        TestShards.Tar tar = TestShards.captionedImages(captions);
        tar.add("s/000099.txt", "a caption without its image");
        tar.write(dir.resolve("train-0000.tar"));
    }

    private static Path config(String name, int resolution, String tokenizerLine) throws IOException {
        Path sub = Files.createDirectories(dir.resolve(name));
        String pattern = dir.toString().replace("\\", "/") + "/train-{0000..0000}.tar";
        return TinyTrainingConfig.write(sub, """
                  max_steps: 2
                  checkpointing_steps: 2
                  logging_steps: 1
                  seed: 3
                """, "", """
                data:
                  source: "webdataset"
                  data_path: "%s"
                  image_column: "image.png"
                  caption_column: "txt"
                  batch_size: 2
                  resolution: %d
                  center_crop: false
                  random_dropping_rate: 0.1
                  max_prompt_length: 10
                %s""".formatted(pattern, resolution, tokenizerLine));
    }

    @Test
    void trainsTwoStepsInPixelSpaceFromShards() throws IOException {
        Path yaml = config("run", 32, "  tokenizer: \"" + tokenizer.toString().replace("\\", "/") + "\"\n");
        Path out = dir.resolve("run/out");
        try (Trainer t = new Trainer(TrainConfig.read(yaml), out, 2, 1, null)) {
            assertThat(t.batch(0).images().shape()).containsExactly(2, 3, 32, 32);
            t.train();
        }
        List<JsonNode> records = MetricsLog.read(out.resolve("metrics.jsonl"));
        assertThat(records).hasSize(2);
        for (JsonNode r : records) {
            assertThat(Double.isFinite(r.get("loss").asDouble())).isTrue();
            assertThat(r.get("skipped_samples").asLong()).isEqualTo(1);   // the caption without an image
        }
        assertThat(Files.readString(out.resolve("checkpoints/step-0000002/tokenizer/tokenizer.json"))).isEqualTo(Files.readString(tokenizer));
    }

    @Test
    void withAVaeTheModelTrainsOnLatents() throws IOException {
        Path vae = TinyVae.write(dir);
        Path yaml = config("latent", 32, "  tokenizer: \"" + tokenizer.toString().replace("\\", "/") + "\"\n");
        String pixel = Files.readString(yaml);
        Files.writeString(yaml, pixel.replace("in_channels: 3", "in_channels: 4").replace("out_channels: 3", "out_channels: 4")
                .replace("sample_size: 32", "sample_size: 16") + "vae:\n  path: \"" + vae.toString().replace("\\", "/") + "\"\n");
        Path out = dir.resolve("latent/out");
        try (Trainer t = new Trainer(TrainConfig.read(yaml), out, 1, 1, null)) {
            t.train();
        }
        assertThat(MetricsLog.read(out.resolve("metrics.jsonl"))).hasSize(1).allMatch(r -> Double.isFinite(r.get("loss").asDouble()));
        // the checkpoint is a latent-space pipeline: its vae/ is the one trained on
        try (VaeCheckpoint v = PipelineFolder.open(out.resolve("checkpoints/step-0000001")).openVae()) {
            assertThat(v.config().latentChannels()).isEqualTo(4);
        }
        // the pixel-space model does not take the VAE's latents
        Files.writeString(yaml, pixel + "vae:\n  path: \"" + vae.toString().replace("\\", "/") + "\"\n");
        assertThatThrownBy(() -> new Trainer(TrainConfig.read(yaml), dir.resolve("latent/out2"), 2, 1, null).close())
                .isInstanceOf(IOException.class).hasMessageContaining("do not match the VAE's latents: expected in_channels 4 and sample_size 16");
    }

    @Test
    void theExampleConfigReadsAsAWebdatasetConfig() throws IOException {
        TrainConfig example = TrainConfig.read(Path.of("../configs/webdataset-example.yaml"));
        assertThat(example.data().source()).isEqualTo("webdataset");
        assertThat(example.ignoredKeys()).isEmpty();
        assertThat(Files.isRegularFile(Path.of("..").resolve(example.data().tokenizer()))).isTrue();
    }

    @Test
    void anOriginalCaptionRateNeedsAnOriginalCaptionColumn() throws IOException {
        Path yaml = config("original", 32, "  original_caption_rate: 0.2\n");
        assertThatThrownBy(() -> TrainConfig.read(yaml)).isInstanceOf(IOException.class)
                .hasMessageContaining("original_caption_rate").hasMessageContaining("caption_column names no original caption");
        Files.writeString(yaml, Files.readString(yaml).replace("caption_column: \"txt\"",
                "caption_column: {original: \"orig.txt\", synthetic: \"txt\"}"));
        TrainConfig.Data data = TrainConfig.read(yaml).data();
        assertThat(data.captionColumn()).isEqualTo("txt");
        assertThat(data.originalCaptionColumn()).isEqualTo("orig.txt");
        assertThat(data.originalCaptionRate()).isEqualTo(0.2);
    }

    @Test
    void aResolutionTheModelDoesNotTakeFailsBeforeTraining() throws IOException {
        Path yaml = config("mismatch", 64, "  tokenizer: \"" + tokenizer.toString().replace("\\", "/") + "\"\n");
        assertThatThrownBy(() -> new Trainer(TrainConfig.read(yaml), dir.resolve("mismatch/out"), 2, 1, null).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("model.in_channels 3 and model.sample_size 32 do not match pixel space")
                .hasMessageContaining("sample_size 64");
    }

    @Test
    void withoutAnyTokenizerTheErrorSaysWhereOneWasLookedFor() throws IOException {
        Path yaml = config("notok", 32, "  tokenizer: \"google/gemma-2-2b\"\n");
        assertThatThrownBy(() -> new Trainer(TrainConfig.read(yaml), dir.resolve("notok/out"), 2, 1, null).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("data.tokenizer: no tokenizer.json for the captions")
                .hasMessageContaining("google/gemma-2-2b")
                .hasMessageContaining(dir.resolve("notok/tokenizer.json").toString());   // beside model.base, the tiny text config
    }
}
