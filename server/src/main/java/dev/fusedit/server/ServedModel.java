package dev.fusedit.server;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.GeneratedImage;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.model.pipeline.SamplingListener;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The pipeline a server was started with, and the name clients see in {@code GET /v1/models} and
 * may send as {@code model}. Only the generator thread calls {@link #generate} (the pipeline is not
 * thread-safe; the kernels parallelise each step).
 */
public final class ServedModel implements AutoCloseable {
    private final String id;
    private final FuseDiTPipeline pipeline;

    public ServedModel(String id, FuseDiTPipeline pipeline) {
        this.id = id;
        this.pipeline = pipeline;
    }

    /** Loads a pipeline folder; the model is named after the folder. */
    public static ServedModel load(Path folder) throws IOException {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return new ServedModel(name == null ? "fusedit" : name.toString(), FuseDiTPipeline.load(folder));
    }

    public String id() {
        return id;
    }

    /** The guidance scale a request that names none gets: the model folder's guidance_scale, else the paper's 6. */
    public double defaultGuidance() {
        return pipeline.defaultGuidance();
    }

    /** The size images get when a request names none. */
    public int defaultSize() {
        return pipeline.defaultSize();
    }

    /** Fails with a message listing sizes that work unless the model can make height x width. */
    public void checkSize(int height, int width) {
        pipeline.checkSize(height, width);
    }

    /** One image per (prompt, seed), as {@code FuseDiTPipeline.generateEach}: a batch gives each image the pixels it gets alone. */
    public List<GeneratedImage> generate(List<String> prompts, long[] seeds, SamplingSettings s, SamplingListener listener) {
        SampleOptions opts = SampleOptions.defaults().withSize(s.height(), s.width()).withSteps(s.steps()).withGuidance(s.guidance())
                .withNegativePrompt(s.negativePrompt()).withListener(listener);
        return pipeline.generateEach(prompts, seeds, opts);
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
