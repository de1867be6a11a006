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

    /** The pipeline of {@code modelDir} (an absolute path every executor can read), loaded on first use in this JVM. */
    public static synchronized FuseDiTPipeline pipeline(String modelDir) throws IOException {
        FuseDiTPipeline pipe = PIPELINES.get(modelDir);
        if (pipe == null) {
            pipe = FuseDiTPipeline.load(Path.of(modelDir));
            PIPELINES.put(modelDir, pipe);
        }
        return pipe;
    }

    /** The VAE folder {@code vaeDir} (config.json and weights), loaded on first use in this JVM. */
    public static synchronized VaeCheckpoint vae(String vaeDir) throws IOException {
        VaeCheckpoint vae = VAES.get(vaeDir);
        if (vae == null) {
            vae = VaeCheckpoint.open(Path.of(vaeDir));
            VAES.put(vaeDir, vae);
        }
        return vae;
    }

    /** How many pipelines this JVM has loaded (tests check that tasks reuse them). */
    public static synchronized int pipelinesLoaded() {
        return PIPELINES.size();
    }
}
