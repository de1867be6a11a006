package dev.fusedit.spark;

import dev.fusedit.model.pipeline.FuseDiTPipeline;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One loaded pipeline per model folder per executor JVM, shared by every task that JVM runs:
 * loading maps the weights and builds the model, which costs more than sampling a small batch.
 * A pipeline runs one generate call at a time, so callers lock it ({@code synchronized (pipe)});
 * the kernels already spread each call over the JVM's cores. Pipelines live as long as the JVM.
 */
public final class PipelineCache {
    private static final Map<String, FuseDiTPipeline> LOADED = new HashMap<>();

    private PipelineCache() {}

    /** The pipeline of {@code modelDir} (an absolute path every executor can read), loaded on first use in this JVM. */
    public static synchronized FuseDiTPipeline get(String modelDir) throws IOException {
        FuseDiTPipeline pipe = LOADED.get(modelDir);
        if (pipe == null) {
            pipe = FuseDiTPipeline.load(java.nio.file.Path.of(modelDir));
            LOADED.put(modelDir, pipe);
        }
        return pipe;
    }

    /** How many pipelines this JVM has loaded (tests check that tasks reuse them). */
    public static synchronized int loadedCount() {
        return LOADED.size();
    }
}
