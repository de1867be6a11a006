package dev.fusedit.model.pipeline;

import java.io.IOException;
import java.nio.file.Path;

/** One generated picture with the prompt and the seed of its initial noise, so it can be reproduced. */
public record GeneratedImage(String prompt, long seed, RgbImage image) {

    /** Writes the image as a PNG (atomically, see {@link PngWriter}). */
    public void writePng(Path file) throws IOException {
        image.writePng(file);
    }
}
