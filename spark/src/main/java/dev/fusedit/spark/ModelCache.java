package dev.fusedit.spark;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.vae.VaeCheckpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One loaded model per folder per executor JVM, shared by every task that JVM runs: loading maps
 * the weights and builds the model, which costs more than a small batch of work. A model runs one
 * call at a time, so callers lock it ({@code synchronized (model)}); the kernels already spread
 * each call over the JVM's cores. Models live as long as the JVM.
 */
public final class ModelCache {
    private static final Map<String, FuseDiTPipeline> PIPELINES = new HashMap<>();
    private static final Map<String, VaeCheckpoint> VAES = new HashMap<>();

    private ModelCache() {}

    /** What loads a model from its folder. */
    @FunctionalInterface
    private interface Loader<T> {
        T load(Path dir) throws IOException;
    }

    /** The pipeline of {@code modelDir} (an absolute path every executor can read), loaded on first use in this JVM. */
    public static FuseDiTPipeline pipeline(String modelDir) throws IOException {
        return cached(PIPELINES, modelDir, FuseDiTPipeline::load);
    }

    /** The VAE folder {@code vaeDir} (config.json and weights), loaded on first use in this JVM. */
    public static VaeCheckpoint vae(String vaeDir) throws IOException {
        return cached(VAES, vaeDir, VaeCheckpoint::open);
    }

    private static synchronized <T> T cached(Map<String, T> loaded, String dir, Loader<T> loader) throws IOException {
        T model = loaded.get(dir);
        if (model == null) {
            model = loader.load(Path.of(dir));
            loaded.put(dir, model);
        }
        return model;
    }

    /** How many pipelines this JVM has loaded (tests check that tasks reuse them). */
    public static synchronized int pipelinesLoaded() {
        return PIPELINES.size();
    }
}
