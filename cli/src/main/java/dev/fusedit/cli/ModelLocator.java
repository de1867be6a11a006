package dev.fusedit.cli;

import dev.fusedit.tensor.Settings;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the sampling commands share: where the bundled model and benchmark live. */
final class ModelLocator {
    /** The bundled default model, relative to the checkout. */
    static final Path BUNDLED_MODEL = Path.of("models", "shapes-tiny");

    private ModelLocator() {}

    /** The checkout the launcher runs from ({@link Settings#home()}, -Dfusedit.home), else the working directory. */
    static Path home() {
        return Settings.get().homeOrWorkingDirectory();
    }

    /** --model when given, else the bundled model; a clear message when the folder is not there. */
    static Path model(Path given) {
        if (given != null) {
            if (!Files.isDirectory(given)) throw new CliException(given + ": no such model folder (expected a pipeline folder with model_index.json)");
            return given;
        }
        Path bundled = home().resolve(BUNDLED_MODEL);
        if (!Files.isDirectory(bundled))
            throw new CliException("no --model given and the bundled default model " + bundled.toAbsolutePath().normalize()
                    + " does not exist yet; pass --model DIR (e.g. a checkpoint of `fusedit train -c configs/shapes-tiny.yaml`: RUN/checkpoints/step-N)");
        return bundled;
    }

    /** A file of the checkout (benchmarks, configs), resolved against fusedit.home. */
    static Path inHome(Path relative) {
        return home().resolve(relative);
    }
}
