package dev.fusedit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The tests serve the repository's bundled model (32x32 pixel space: a step of a few images takes milliseconds). */
final class BundledModel {
    static final Path FOLDER = Path.of("..", "models", "shapes-tiny");

    private BundledModel() {}

    static ServedModel load() {
        try {
            return ServedModel.load(FOLDER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
