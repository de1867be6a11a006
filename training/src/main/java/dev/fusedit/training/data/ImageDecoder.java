package dev.fusedit.training.data;

import dev.fusedit.model.pipeline.RgbImage;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;

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

    public static RgbImage decode(byte[] encoded) throws IOException {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(encoded));
        } catch (RuntimeException e) {
            // readers throw unchecked exceptions on some corrupt streams (index errors, negative sizes)
            throw new IOException("corrupt image data (" + e + ")", e);
        }
        if (image == null) throw new IOException("not an image format javax.imageio knows");
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
