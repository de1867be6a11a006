package dev.fusedit.model.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageGridTest {

    static BufferedImage noise(long seed, int w, int h) {
        SplittableRandom r = new SplittableRandom(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img.setRGB(x, y, r.nextInt(1 << 24));
        return img;
    }

    @Test
    void cellsHoldTheImagesAtTheirPlaces() {
        int w = 13, h = 9, margin = 4;
        List<BufferedImage> images = List.of(noise(1, w, h), noise(2, w, h), noise(3, w, h));
        BufferedImage grid = ImageGrid.compose(images, 2, 2, margin, null);
        assertThat(grid.getWidth()).isEqualTo(2 * (w + margin) + margin);
        assertThat(grid.getHeight()).isEqualTo(2 * (h + margin) + margin);
        for (int i = 0; i < images.size(); i++) {
            int ox = margin + (i % 2) * (w + margin), oy = margin + (i / 2) * (h + margin);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    assertThat(grid.getRGB(ox + x, oy + y) & 0xFFFFFF).isEqualTo(images.get(i).getRGB(x, y) & 0xFFFFFF);
        }
        // the empty fourth cell and the margins stay white
        assertThat(grid.getRGB(margin + (w + margin) + 1, margin + (h + margin) + 1) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        assertThat(grid.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
    }

    @Test
    void captionsAreDrawnBelowTheirImage() {
        int w = 120, h = 40;
        BufferedImage white = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) white.setRGB(x, y, 0xFFFFFF);
        BufferedImage grid = ImageGrid.compose(List.of(white, white), 1, 2, 6,
                List.of("a photo of a cat sitting on a very long wall in the afternoon sun with many words", ""));
        assertThat(grid.getHeight()).isGreaterThan(h + 12);
        assertThat(darkPixels(grid, 6, h + 6, 6 + w, grid.getHeight())).as("ink under the captioned image").isPositive();
        assertThat(darkPixels(grid, 6 + w + 6, h + 6, grid.getWidth(), grid.getHeight())).as("ink under the uncaptioned image").isZero();
    }

    static int darkPixels(BufferedImage img, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) if ((img.getRGB(x, y) & 0xFF) < 128) n++;
        return n;
    }

    @Test
    void badLayoutsAreRefused() {
        BufferedImage a = noise(1, 4, 4), b = noise(2, 5, 4);
        assertThatThrownBy(() -> ImageGrid.compose(List.of(a, a, a), 1, 2, 0, null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 x 2");
        assertThatThrownBy(() -> ImageGrid.compose(List.of(a, b), 1, 2, 0, null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image 1");
        assertThatThrownBy(() -> ImageGrid.compose(List.of(a), 1, 1, 0, List.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("caption");
    }

    @Test
    void pngRoundTripsAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        BufferedImage img = noise(5, 17, 11);
        Path file = dir.resolve("out/sample.png");
        PngWriter.write(img, file);
        PngWriter.write(img, file); // overwriting works too
        BufferedImage back = ImageIO.read(file.toFile());
        for (int y = 0; y < 11; y++)
            for (int x = 0; x < 17; x++) assertThat(back.getRGB(x, y) & 0xFFFFFF).isEqualTo(img.getRGB(x, y) & 0xFFFFFF);
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("sample.png");
        }
    }
}
