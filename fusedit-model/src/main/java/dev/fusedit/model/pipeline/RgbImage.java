package dev.fusedit.model.pipeline;

import dev.fusedit.tensor.io.FormatException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An 8-bit RGB image: pixels row-major in HWC order (r, g, b of pixel (x, y) at (y·width + x)·3).
 * What the sampler produces, the shapes world draws and the detector reads.
 */
public record RgbImage(int width, int height, byte[] pixels) {

    public RgbImage {
        if (width < 1 || height < 1) throw new IllegalArgumentException("image size must be positive, got " + width + " x " + height);
        if (pixels.length != width * height * 3)
            throw new IllegalArgumentException("an RGB image of " + width + " x " + height + " needs " + width * height * 3 + " bytes, got " + pixels.length);
    }

    /** Channel c (0 r, 1 g, 2 b) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xff;
    }

    public BufferedImage toBufferedImage() {
        Headless.ensure();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) img.setRGB(x, y, get(x, y, 0) << 16 | get(x, y, 1) << 8 | get(x, y, 2));
        return img;
    }

    public static RgbImage fromBufferedImage(BufferedImage img) {
        byte[] px = new byte[img.getWidth() * img.getHeight() * 3];
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y), p = (y * img.getWidth() + x) * 3;
                px[p] = (byte) (rgb >> 16);
                px[p + 1] = (byte) (rgb >> 8);
                px[p + 2] = (byte) rgb;
            }
        return new RgbImage(img.getWidth(), img.getHeight(), px);
    }

    /** Writes the image as a PNG (atomically, see {@link PngWriter}). */
    public void writePng(Path file) throws IOException {
        PngWriter.write(toBufferedImage(), file);
    }

    /** The image as PNG file bytes. */
    public byte[] toPng() throws IOException {
        return PngWriter.encode(toBufferedImage());
    }

    public static RgbImage readPng(Path file) throws IOException {
        Headless.ensure();
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) throw new FormatException(file, "not a readable image");
        return fromBufferedImage(img);
    }
}
