package dev.fusedit.shapes;

import dev.fusedit.model.pipeline.RgbImage;

import java.io.IOException;
import java.util.List;

/** What the benchmark evaluates: a prompt's text and the sampling seeds in, one image per seed out. */
@FunctionalInterface
public interface ImageGenerator {
    List<RgbImage> generate(String prompt, long[] seeds) throws IOException;
}
