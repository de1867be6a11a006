package dev.fusedit.training.data;

import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.tensor.io.FormatException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Encoded image bytes (JPEG, PNG, anything javax.imageio reads) to 8-bit RGB, converted as PIL's
 * {@code convert("RGB")} does, which is what webdataset's "pil" decoding hands the reference:
 * alpha is dropped (not composited), gray is copied to r, g and b (read from the raster: Java's
 * getRGB would treat gray as linear light and brighten it), 16-bit samples keep their top byte,
 * and CMYK JPEGs (stored as 255 − value by Adobe's convention, which the JDK's reader undoes as
 * PIL does) become r = (255 − k) − (255 − k)·c / 255, PIL's formula, not the JDK's colour-managed one.
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    /** Larger images are refused: 8192 x 8192, far above any training resolution. */
    static final long MAX_PIXELS = 8192L * 8192;
    /**
     * Deflate and JPEG cannot expand a stream by more than about a thousand to one, so an image
     * whose header claims more pixels than this many times its encoded bytes is lying, and the
     * raster it claims is never allocated.
     */
    static final long MAX_PIXELS_PER_BYTE = 1100;
    /** Small images are never refused by the ratio (an 8-byte solid colour is fine). */
    private static final long ALWAYS_ALLOWED_PIXELS = 1 << 20;

    /**
     * Decodes the image bytes of {@code member} of {@code source} (a tar shard); a corrupt image,
     * or one whose claimed size is out of bounds, is a {@link FormatException} naming both.
     */
    public static RgbImage decode(byte[] encoded, Path source, String member) throws FormatException {
        BufferedImage image;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new FormatException(source, member + ": not an image format javax.imageio knows");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // the header's size is checked before the reader allocates a raster of that size
                long w = reader.getWidth(0), h = reader.getHeight(0), pixels = w * h;
                if (w < 1 || h < 1 || pixels > MAX_PIXELS || pixels > Math.max(ALWAYS_ALLOWED_PIXELS, MAX_PIXELS_PER_BYTE * encoded.length))
                    throw new FormatException(source, member + ": image header claims " + w + " x " + h + " pixels, more than "
                            + encoded.length + " encoded bytes can hold (or above the " + MAX_PIXELS + "-pixel limit)");
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (FormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // readers throw unchecked exceptions on some corrupt streams (index errors, negative sizes)
            throw new FormatException(source, member + ": corrupt image data (" + e + ")", e);
        }
        if (image == null) throw new FormatException(source, member + ": not an image javax.imageio can read");
        return switch (image.getColorModel().getColorSpace().getType()) {
            case ColorSpace.TYPE_GRAY -> fromGray(image.getRaster());
            case ColorSpace.TYPE_CMYK -> fromCmyk(image.getRaster());
            default -> RgbImage.fromBufferedImage(image);
        };
    }

    private static RgbImage fromGray(Raster r) {
        int w = r.getWidth(), h = r.getHeight();
        int shift = Math.max(0, r.getSampleModel().getSampleSize(0) - 8);
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                byte v = (byte) (r.getSample(x, y, 0) >>> shift);
                int p = (y * w + x) * 3;
                px[p] = v;
                px[p + 1] = v;
                px[p + 2] = v;
            }
        return new RgbImage(w, h, px);
    }

    private static RgbImage fromCmyk(Raster r) {
        int w = r.getWidth(), h = r.getHeight();
        byte[] px = new byte[w * h * 3];
        int[] cmyk = new int[4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, cmyk);
                int notK = 255 - cmyk[3];
                for (int c = 0; c < 3; c++) px[(y * w + x) * 3 + c] = (byte) (notK - Math.round(cmyk[c] * notK / 255.0));
            }
        return new RgbImage(w, h, px);
    }
}
