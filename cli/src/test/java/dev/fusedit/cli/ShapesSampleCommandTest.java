package dev.fusedit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusedit.model.tokenizer.Tokenizers;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.shapes.ShapesSample;
import dev.fusedit.shapes.ShapesStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShapesSampleCommandTest {

    @Test
    void writesPngsCaptionsGridAndTokenizerForTheStreamSamples(@TempDir Path dir) throws Exception {
        int rc = Main.commandLine().execute("shapes-sample", "--out", dir.toString(), "--count", "12", "--seed", "5", "--start", "100");
        assertThat(rc).isZero();
        List<String> lines = Files.readAllLines(dir.resolve("captions.jsonl"));
        assertThat(lines).hasSize(12);
        ShapesStream stream = new ShapesStream(5);
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = json.readTree(lines.get(i));
            ShapesSample want = stream.sample(100 + i);
            assertThat(line.get("index").asLong()).isEqualTo(100 + i);
            assertThat(line.get("caption").asText()).isEqualTo(want.caption());
            assertThat(line.get("prompt").asText()).isEqualTo(want.prompt().text());
            assertThat(line.get("category").asText()).isEqualTo(want.prompt().category().id());
            RgbImage png = RgbImage.readPng(dir.resolve(line.get("file").asText()));
            assertThat(png.pixels()).isEqualTo(want.scene().render().pixels());
        }
        BufferedImage grid = ImageIO.read(dir.resolve("grid.png").toFile());
        assertThat(grid.getWidth()).isGreaterThan(8 * 32 * 4);
        assertThat(Tokenizers.load(dir).encode(stream.sample(100).prompt().text())[0]).isEqualTo(2);
    }

    @Test
    void badCountIsAOneLineUserError(@TempDir Path dir) {
        assertThat(Main.commandLine().execute("shapes-sample", "--out", dir.toString(), "--count", "0")).isEqualTo(2);
    }
}
