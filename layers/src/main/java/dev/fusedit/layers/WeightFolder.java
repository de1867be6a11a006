package dev.fusedit.layers;

import dev.fusedit.tensor.io.TensorSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * How every model kind is loaded from a folder (config.json + safetensors, sharded or not): the
 * folder is checked, its weights are opened memory-mapped, the caller builds the model and loads
 * them into it, and if that fails the weights are closed again before the error goes up. On
 * success the caller owns the weights (they back the model's tensors) and closes them with it.
 */
public final class WeightFolder {
    private WeightFolder() {}

    /** Builds a model from the folder's open weights; may throw, and then the weights are closed. */
    @FunctionalInterface
    public interface Loader<T> {
        T load(TensorSource weights) throws IOException;
    }

    /** Opens dir's weights (named {@code what} in the error when dir is not a folder) and loads them with loader. */
    public static <T> T load(Path dir, String what, Loader<T> loader) throws IOException {
        return load(dir, what, UnaryOperator.identity(), loader);
    }

    /** The same, with the opened weights seen through {@code view} (e.g. old key names mapped to new ones). */
    public static <T> T load(Path dir, String what, UnaryOperator<TensorSource> view, Loader<T> loader) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a " + what + " folder");
        TensorSource weights = view.apply(TensorSource.open(dir));
        try {
            return loader.load(weights);
        } catch (IOException | RuntimeException e) {
            weights.close();
            throw e;
        }
    }
}
