package dev.fusedit.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.progress.MetricsLog;
import dev.fusedit.training.shapes.ShapesVocabulary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    static Path shards;

    @BeforeAll
    static void writeShardsAndTokenizer() throws IOException {
        tokenizer = dir.resolve("tokenizer.json");
        ShapesVocabulary.tokenizer().save(tokenizer);
        String[] captions = {"a red circle", "a blue square", "two green triangles", "a yellow circle left of a red square", "a purple square"};
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (int i = 0; i < captions.length; i++) {
            int w = 32 + 8 * i, h = 48 - 4 * i, colour = 0x203040 * (i + 1);
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) img.setRGB(x, y, (x + y) % 9 < 4 ? colour : 0xFFFFFF);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            member(tar, "s/%06d.image.png".formatted(i), png.toByteArray());
            member(tar, "s/%06d.txt".formatted(i), captions[i].getBytes(StandardCharsets.UTF_8));
        }
        member(tar, "s/000099.txt", "a caption without its image".getBytes(StandardCharsets.UTF_8));
        tar.write(new byte[1024]);
        shards = Files.write(dir.resolve("train-0000.tar"), tar.toByteArray());
    }

    /** One ustar member (short names only), enough for this test's shard. */
    private static void member(ByteArrayOutputStream tar, String name, byte[] data) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        byte[] size = String.format("%011o", data.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, h, 124, size.length);
        h[156] = '0';
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        for (int i = 148; i < 156; i++) h[i] = ' ';
        int sum = 0;
        for (byte b : h) sum += b & 0xff;
        byte[] chk = String.format("%06o\0", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, chk.length);
        tar.writeBytes(h);
        tar.writeBytes(data);
        tar.writeBytes(new byte[(512 - data.length % 512) % 512]);
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
