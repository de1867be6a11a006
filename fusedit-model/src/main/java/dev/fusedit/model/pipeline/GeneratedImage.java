package dev.fusedit.model.pipeline;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One generated picture: 8-bit RGB pixels row-major in HWC order (r, g, b of pixel (x, y) at
 * (y·width + x)·3), with the prompt and the seed of its initial noise so it can be reproduced.
 */
public record GeneratedImage(String prompt, long seed, int width, int height, byte[] pixels) {

    public GeneratedImage {
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

    /** Writes the image as a PNG (atomically, see {@link PngWriter}). */
    public void writePng(Path file) throws IOException {
        PngWriter.write(toBufferedImage(), file);
    }
}
