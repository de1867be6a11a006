package dev.fusedit.training.data;

import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.tensor.io.FormatException;
import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decoding to RGB as PIL's convert("RGB") does, and the antialiased bilinear resize + crop. */
class ImageDecodeResizeTest {
    private static final Path SHARD = Path.of("shard-000.tar");


    @Test
    void grayIsCopiedNotGammaConverted() throws IOException {
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 1, 0, 100);
        RgbImage rgb = ImageDecoder.decode(TestShards.encode(gray, "png"), SHARD, "image");
        assertThat(new int[] {rgb.get(1, 1, 0), rgb.get(1, 1, 1), rgb.get(1, 1, 2), rgb.get(0, 0, 0)}).containsExactly(100, 100, 100, 0);

        BufferedImage deep = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        deep.getRaster().setSample(0, 0, 0, 0xABCD);
        assertThat(ImageDecoder.decode(TestShards.encode(deep, "png"), SHARD, "image").get(0, 0, 2)).isEqualTo(0xAB);
    }

    @Test
    void alphaIsDroppedNotComposited() throws IOException {
        BufferedImage rgba = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x000A141E);   // fully transparent (10, 20, 30)
        RgbImage rgb = ImageDecoder.decode(TestShards.encode(rgba, "png"), SHARD, "image");
        assertThat(new int[] {rgb.get(0, 0, 0), rgb.get(0, 0, 1), rgb.get(0, 0, 2)}).containsExactly(10, 20, 30);
    }

    @Test
    void cmykJpegsConvertWithPilsFormula() throws IOException {
        // CMYK JPEG bytes hold 255 − value (Adobe's convention, which PIL and the JDK's reader assume with or
        // without an APP14 marker): stored (200, 50, 0, 30) is CMYK (55, 205, 255, 225); PIL's cmyk2rgb with
        // nk = 255 − 225 = 30 gives r = 30 − round(55·30/255 = 6.47) = 24, g = 30 − round(24.1) = 6, b = 30 − 30 = 0
        byte[] plain = cmykJpeg(200, 50, 0, 30);
        RgbImage a = ImageDecoder.decode(plain, SHARD, "image");
        assertThat(new int[] {a.get(4, 4, 0), a.get(4, 4, 1), a.get(4, 4, 2)}).containsExactly(24, 6, 0);
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        byte[] adobe = new byte[plain.length + app14.length];
        System.arraycopy(plain, 0, adobe, 0, 2);
        System.arraycopy(app14, 0, adobe, 2, app14.length);
        System.arraycopy(plain, 2, adobe, 2 + app14.length, plain.length - 2);
        RgbImage b = ImageDecoder.decode(adobe, SHARD, "image");
        assertThat(new int[] {b.get(4, 4, 0), b.get(4, 4, 1), b.get(4, 4, 2)}).containsExactly(24, 6, 0);
    }

    private static byte[] cmykJpeg(int c, int m, int y, int k) throws IOException {
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 8, 8, 4, null);
        for (int yy = 0; yy < 8; yy++)
            for (int xx = 0; xx < 8; xx++) r.setPixel(xx, yy, new int[] {c, m, y, k});
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(1f);   // a flat 8x8 block survives quality 1 exactly
            w.write(null, new IIOImage(r, null, null), p);
        } finally {
            w.dispose();
        }
        return out.toByteArray();
    }

    @Test
    void garbageAndTruncatedImagesFailNamingTheShardAndMember() {
        assertThatThrownBy(() -> ImageDecoder.decode("not an image".getBytes(), SHARD, "image"))
                .isInstanceOf(FormatException.class).hasMessageStartingWith("shard-000.tar: image: ");
        byte[] png = TestShards.png(16, 16, (x, y) -> x * 0x100 + y);
        assertThatThrownBy(() -> ImageDecoder.decode(Arrays.copyOf(png, png.length / 2), SHARD, "image"))
                .isInstanceOf(FormatException.class).hasMessageStartingWith("shard-000.tar: image: ");
    }

    /** A PNG header claiming 60000 x 60000 made the JDK reader allocate a 14 GB raster before reading any pixel data. */
    @Test
    void aHeaderClaimingMorePixelsThanTheBytesCanHoldIsRefusedBeforeAllocating() {
        byte[] png = TestShards.png(16, 16, (x, y) -> x * 0x100 + y);
        // IHDR's width and height are the 4-byte big-endian numbers at bytes 16 and 20; its CRC follows the 13 data bytes
        java.nio.ByteBuffer.wrap(png).putInt(16, 60000).putInt(20, 60000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        java.nio.ByteBuffer.wrap(png).putInt(29, (int) crc.getValue());
        assertThatThrownBy(() -> ImageDecoder.decode(png, SHARD, "image")).isInstanceOf(FormatException.class)
                .hasMessageContaining("shard-000.tar: image: image header claims 60000 x 60000 pixels");
    }

    @Test
    void anImageAtTheResolutionIsUnchanged() {
        RgbImage img = RgbImage.fromBufferedImage(decodeUnchecked(TestShards.png(5, 5, (x, y) -> (x * 40) << 16 | (y * 50) << 8 | 7)));
        assertThat(ResizeCrop.apply(img, 5, ResizeCrop.CropChoice.CENTER).pixels()).isEqualTo(img.pixels());
    }

    @Test
    void aConstantColourStaysThatColourThroughResizeAndCrop() {
        byte[] px = new byte[64 * 48 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 201;
            px[i + 1] = 17;
            px[i + 2] = (byte) 128;
        }
        RgbImage out = ResizeCrop.apply(new RgbImage(64, 48, px), 24, ResizeCrop.CropChoice.CENTER);
        assertThat(out.width()).isEqualTo(24);
        assertThat(out.height()).isEqualTo(24);
        for (int i = 0; i < out.pixels().length; i += 3)
            assertThat(new int[] {out.pixels()[i] & 0xff, out.pixels()[i + 1] & 0xff, out.pixels()[i + 2] & 0xff}).containsExactly(201, 17, 128);
    }

    /**
     * A horizontal ramp 8 wide, 4 high, to resolution 2: resized to 4 × 2, then the centre 2 columns.
     * Expected from the filter's definition: output column o averages source pixel centres i + 0.5
     * with the triangle 1 − |i + 0.5 − c| / 2 around c = 2(o + 0.5) (half-width 2 = the shrink factor).
     */
    @Test
    void downscalingAveragesWithTheWidenedTriangle() {
        int w = 8, h = 4;
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++) px[(y * w + x) * 3 + c] = (byte) (x * x * 3 + c);
        RgbImage out = ResizeCrop.apply(new RgbImage(w, h, px), 2, ResizeCrop.CropChoice.CENTER);
        for (int o = 1; o <= 2; o++)
            for (int c = 0; c < 3; c++) {
                double center = 2 * (o + 0.5), sum = 0, weights = 0;
                for (int i = 0; i < w; i++) {
                    double t = Math.max(0, 1 - Math.abs(i + 0.5 - center) / 2);
                    sum += t * (i * i * 3 + c);
                    weights += t;
                }
                long expected = Math.round(sum / weights);
                for (int y = 0; y < 2; y++) assertThat(out.get(o - 1, y, c)).as("column %d channel %d", o, c).isEqualTo((int) expected);
            }
    }

    @Test
    void theLongerSideIsTruncatedAndTheCentreCropRoundsHalfToEven() {
        RgbImage img = new RgbImage(10, 7, new byte[10 * 7 * 3]);
        int[] slack = new int[1];
        RgbImage out = ResizeCrop.apply(img, 4, (s, horizontal) -> {
            if (horizontal) slack[0] = s;
            return 0;
        });
        assertThat(slack[0]).isEqualTo(1);   // floor(4 · 10 / 7) = 5 columns
        assertThat(out.width()).isEqualTo(4);
        assertThat(ResizeCrop.CropChoice.CENTER.offset(1, true)).isZero();
        assertThat(ResizeCrop.CropChoice.CENTER.offset(3, true)).isEqualTo(2);
        assertThat(ResizeCrop.CropChoice.CENTER.offset(5, true)).isEqualTo(2);
    }

    private static BufferedImage decodeUnchecked(byte[] png) {
        try {
            return ImageIO.read(new java.io.ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
