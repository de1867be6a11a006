package dev.fusedit.model.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.model.vae.VaeConfig;
import dev.fusedit.tensor.io.FolderBounds;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A diffusers-style pipeline folder as FuseDiT's save_pipeline writes it:
 * <pre>
 *   model_index.json
 *   transformer/  config.json + safetensors (loaded by the FuseDiT code)
 *   vae/          config.json + diffusion_pytorch_model.safetensors (absent: the model works in pixel space)
 *   scheduler/    scheduler_config.json
 *   tokenizer/    tokenizer files
 * </pre>
 * model_index.json may also hold {@code "max_sequence_length": N} (see {@link #maxSequenceLength()})
 * and {@code "guidance_scale": g} (see {@link #guidanceScale()}).
 * Opening checks that every piece model_index.json names is there and reads the small configs;
 * errors name the missing or broken file. A symbolic link in the folder that leads out of it is
 * refused ({@link FolderBounds}).
 */
public final class PipelineFolder {
    private final Path root;
    private final String className;
    private final Path transformerDir, tokenizerDir;
    private final Path vaeDir;
    private final VaeConfig vaeConfig;
    private final FlowMatchEulerScheduler scheduler;
    private final int maxSequenceLength;
    private final double guidanceScale;

    /** The file a diffusers component folder (transformer/, vae/) keeps its weights in when not sharded. */
    public static final String WEIGHTS_FILE = "diffusion_pytorch_model.safetensors";

    /** The prompt length the reference pipeline pads and truncates to (its max_sequence_length default). */
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 256;

    private PipelineFolder(Path root, String className, Path transformerDir, Path tokenizerDir, Path vaeDir, VaeConfig vaeConfig,
                           FlowMatchEulerScheduler scheduler, int maxSequenceLength, double guidanceScale) {
        this.root = root;
        this.className = className;
        this.transformerDir = transformerDir;
        this.tokenizerDir = tokenizerDir;
        this.vaeDir = vaeDir;
        this.vaeConfig = vaeConfig;
        this.scheduler = scheduler;
        this.maxSequenceLength = maxSequenceLength;
        this.guidanceScale = guidanceScale;
    }

    public static PipelineFolder open(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new FormatException(root, "not a pipeline folder (no such directory)");
        // component folders are fixed names, so no file here names a path; links are what could lead out
        FolderBounds.requireNoLinkOutside(root);
        Path indexFile = root.resolve("model_index.json");
        if (!Files.isRegularFile(indexFile)) throw new FormatException(indexFile, "missing (a pipeline folder starts with model_index.json)");
        JsonNode index = ConfigFiles.readJson(indexFile);
        if (index == null || !index.isObject()) throw new FormatException(indexFile, "top level must be a JSON object");
        String className = index.path("_class_name").asText("");

        requireListed(index, indexFile, "transformer", null);
        Path transformer = requireFolder(root, "transformer", "config.json");

        requireListed(index, indexFile, "scheduler", "FlowMatchEulerDiscreteScheduler");
        Path schedulerDir = requireFolder(root, "scheduler", "scheduler_config.json");
        FlowMatchEulerScheduler scheduler = FlowMatchEulerScheduler.read(schedulerDir.resolve("scheduler_config.json"));

        requireListed(index, indexFile, "tokenizer", null);
        Path tokenizer = requireFolder(root, "tokenizer", null);

        // the VAE is optional: a pixel-space model lists no vae (or null) and has no vae/ folder
        boolean vaeListed = listed(index, "vae");
        Path vae = null;
        VaeConfig vaeConfig = null;
        if (vaeListed || Files.isDirectory(root.resolve("vae"))) {
            if (vaeListed) requireListed(index, indexFile, "vae", "AutoencoderKL");
            vae = requireFolder(root, "vae", "config.json");
            vaeConfig = VaeConfig.read(vae.resolve("config.json"));
        }
        // our extension: the prompt length the model was trained with; diffusers passes unknown
        // non-component keys of model_index.json to the pipeline constructor, which ignores them
        int maxLength = DEFAULT_MAX_SEQUENCE_LENGTH;
        JsonNode ml = index.get("max_sequence_length");
        if (ml != null && !ml.isNull()) {
            if (!ml.canConvertToInt() || !ml.isIntegralNumber() || ml.asInt() < 1)
                throw new FormatException(indexFile, "max_sequence_length: expected a positive integer, got " + ml);
            maxLength = ml.asInt();
        }
        // our extension too: the guidance the model samples best at (the diffusers pipeline's call argument name)
        double guidance = SampleOptions.DEFAULT_GUIDANCE;
        JsonNode g = index.get("guidance_scale");
        if (g != null && !g.isNull()) {
            if (!g.isNumber() || !Double.isFinite(g.asDouble()) || g.asDouble() < 0)
                throw new FormatException(indexFile, "guidance_scale: expected a number of at least 0 (1 or less: no guidance), got " + g);
            guidance = g.asDouble();
        }
        return new PipelineFolder(root, className, transformer, tokenizer, vae, vaeConfig, scheduler, maxLength, guidance);
    }

    private static boolean listed(JsonNode index, String component) {
        JsonNode v = index.get(component);
        return v != null && !v.isNull() && !(v.isArray() && v.size() == 2 && v.get(0).isNull() && v.get(1).isNull());
    }

    /** The component must be named in model_index.json as [library, class] (with that class when given). */
    private static void requireListed(JsonNode index, Path indexFile, String component, String expectedClass) throws IOException {
        if (!listed(index, component)) throw new FormatException(indexFile, component + ": required component is missing");
        JsonNode v = index.get(component);
        if (!v.isArray() || v.size() != 2 || !v.get(1).isTextual())
            throw new FormatException(indexFile, component + ": expected [library, class name], got " + v);
        if (expectedClass != null && !v.get(1).asText().equals(expectedClass))
            throw new FormatException(indexFile, component + ": only " + expectedClass + " is supported, got " + v.get(1).asText());
    }

    private static Path requireFolder(Path root, String name, String requiredFile) throws IOException {
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) throw new FormatException(dir, "missing (model_index.json names a " + name + ")");
        if (requiredFile != null && !Files.isRegularFile(dir.resolve(requiredFile))) throw new FormatException(dir.resolve(requiredFile), "missing");
        return dir;
    }

    public Path root() {
        return root;
    }

    /** model_index.json's _class_name ("FuseDiTPipeline"), or "" when absent. */
    public String className() {
        return className;
    }

    /** transformer/: config.json and the (possibly sharded) safetensors, for the FuseDiT loader. */
    public Path transformerDir() {
        return transformerDir;
    }

    /**
     * How many tokens (BOS included) prompts are padded and cut to: model_index.json's
     * "max_sequence_length" (written by {@code fusedit train}: the data.max_prompt_length the model
     * was trained with), else {@value #DEFAULT_MAX_SEQUENCE_LENGTH} as in the reference pipeline.
     */
    public int maxSequenceLength() {
        return maxSequenceLength;
    }

    /**
     * The classifier-free guidance scale sampling uses when the caller names none: model_index.json's
     * "guidance_scale" (written by {@code fusedit train} from trainer.guidance_scale), else
     * {@link SampleOptions#DEFAULT_GUIDANCE}, the paper's 6.
     */
    public double guidanceScale() {
        return guidanceScale;
    }

    public Path tokenizerDir() {
        return tokenizerDir;
    }

    public FlowMatchEulerScheduler scheduler() {
        return scheduler;
    }

    /** False for a pixel-space model (no VAE). */
    public boolean hasVae() {
        return vaeDir != null;
    }

    public Optional<Path> vaeDir() {
        return Optional.ofNullable(vaeDir);
    }

    public Optional<VaeConfig> vaeConfig() {
        return Optional.ofNullable(vaeConfig);
    }

    /** Loads the VAE (memory-mapped; close the checkpoint when done). */
    public VaeCheckpoint openVae() throws IOException {
        if (vaeDir == null) throw new FormatException(root, "this pipeline has no vae/ (a pixel-space model)");
        return VaeCheckpoint.open(vaeDir);
    }
}
