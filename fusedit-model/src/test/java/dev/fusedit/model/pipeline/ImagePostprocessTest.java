package dev.fusedit.model.pipeline;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.SafeTensorsFile;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImagePostprocessTest {

    @Test
    void matchesTheFixtureUint8FromTheFixtureDecodedImage() throws IOException {
        // the fixture's image_uint8 was made by diffusers from its decoded tensor: same input, same bytes
        try (SafeTensorsFile e = SafeTensorsFile.open(Path.of("..", "fixtures", "vae", "c16_b32x32x64_l2_5x7", "expected.safetensors"))) {
            Tensor got = ImagePostprocess.toUint8Nhwc(e.get("decoded"));
            Tensor want = e.get("image_uint8");
            assertThat(got.dtype()).isEqualTo(DType.U8);
            assertThat(got.shape()).isEqualTo(want.shape());
            assertThat(got.toDoubleArray()).containsExactly(want.toDoubleArray());
        }
    }

    @Test
    void exactHalvesRoundToEven() {
        // find float32 values y with y·255 (rounded to float32) exactly m + 0.5, and feed x = 2y − 1
        int found = 0;
        for (int m = 0; m < 255; m++) {
            float y = (m + 0.5f) / 255f;
            for (int k = 0; k < 64; k++, y = Math.nextDown(y)) {
                if (y * 255f != m + 0.5f) continue;
                float x = 2 * y - 1;
                if (x / 2f + 0.5f != y) continue;
                int even = m % 2 == 0 ? m : m + 1;
                assertThat(ImagePostprocess.toByte(x)).as("x = " + x + " (y·255 = " + (m + 0.5) + ")").isEqualTo(even);
                found++;
            }
        }
        assertThat(found).as("exact-half cases found").isGreaterThan(20);
    }

    @Test
    void clampsAndScalesLikeTheReference() {
        assertThat(ImagePostprocess.toByte(-1f)).isZero();
        assertThat(ImagePostprocess.toByte(-7f)).isZero();
        assertThat(ImagePostprocess.toByte(1f)).isEqualTo(255);
        assertThat(ImagePostprocess.toByte(3f)).isEqualTo(255);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            float x = (float) (r.nextDouble() * 2.4 - 1.2);
            double ideal = Math.min(1, Math.max(0, x * 0.5 + 0.5)) * 255;
            // float32 rounding can only move a value that sits within a few ulps of a .5 boundary
            assertThat((double) ImagePostprocess.toByte(x)).isCloseTo(Math.rint(ideal), org.assertj.core.api.Assertions.within(
                    Math.abs(ideal - Math.floor(ideal) - 0.5) < 1e-4 ? 1.0 : 0.0));
        }
    }

    @Test
    void layoutIsNhwcAndPicturesCarryTheChannels() {
        // [1, 3, 2, 2]: channel c of pixel (y, x) = distinct values
        float[] v = new float[12];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 4; p++) v[c * 4 + p] = -1f + (c * 4 + p) / 6f;
        Tensor img = Tensor.of(v, 1, 3, 2, 2);
        Tensor u8 = ImagePostprocess.toUint8Nhwc(img);
        assertThat(u8.shape()).containsExactly(1, 2, 2, 3);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 2; x++)
                    assertThat((int) u8.get(0, y, x, c)).isEqualTo(ImagePostprocess.toByte(v[c * 4 + y * 2 + x]));
        BufferedImage pic = ImagePostprocess.toImages(u8)[0];
        int rgb = pic.getRGB(1, 0);
        assertThat((rgb >> 16) & 255).isEqualTo((int) u8.get(0, 0, 1, 0));
        assertThat((rgb >> 8) & 255).isEqualTo((int) u8.get(0, 0, 1, 1));
        assertThat(rgb & 255).isEqualTo((int) u8.get(0, 0, 1, 2));
        assertThatThrownBy(() -> ImagePostprocess.toUint8Nhwc(Tensor.zeros(1, 2, 4, 4))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 or 3");
    }
}
