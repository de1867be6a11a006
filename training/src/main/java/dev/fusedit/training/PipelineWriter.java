package dev.fusedit.training;

import dev.fusedit.model.pipeline.PipelineFolder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.model.pipeline.FlowMatchEulerScheduler;
import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.model.tokenizer.WordLevelTokenizer;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.AtomicFiles;
import dev.fusedit.tensor.io.SafeTensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes a model as the pipeline folder the reference's save_pipeline produces (model_index.json,
 * transformer/, scheduler/, tokenizer/, and vae/ for a latent-space model), which is also what
 * {@code fusedit sample --model DIR} reads.
 */
final class PipelineWriter {
    private PipelineWriter() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param weights     every transformer tensor by state-dict key (the EMA values where EMA is on)
     * @param maxSequenceLength the prompt length the model trains with, recorded in model_index.json
     *                          so that sampling pads and truncates prompts the same way
     * @param guidanceScale the guidance sampling uses by default, recorded in model_index.json (null: none recorded)
     * @param vaeDir      the diffusers vae/ folder the model trains on the latents of, or null in pixel space
     */
    static void write(Path dir, ObjectNode transformerConfig, Map<String, Tensor> weights, FlowMatchEulerScheduler scheduler,
                      Tokenizer tokenizer, Path tokenizerFile, int maxSequenceLength, Double guidanceScale, Path vaeDir) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("_class_name", "FuseDiTPipeline");
        index.put("_diffusers_version", "0.32.0");
        index.putArray("scheduler").add("diffusers").add("FlowMatchEulerDiscreteScheduler");
        index.putArray("tokenizer").add("transformers").add(tokenizer instanceof WordLevelTokenizer ? "PreTrainedTokenizerFast" : "GemmaTokenizerFast");
        index.putArray("transformer").add("diffusion.models").add(transformerConfig.path("model_type").asText("FuseDiT"));
        if (vaeDir != null) index.putArray("vae").add("diffusers").add("AutoencoderKL");
        index.put("max_sequence_length", maxSequenceLength);
        if (guidanceScale != null) index.put("guidance_scale", guidanceScale);
        writeJson(dir.resolve("model_index.json"), index);

        Path transformer = Files.createDirectories(dir.resolve("transformer"));
        writeJson(transformer.resolve("config.json"), transformerConfig);
        SafeTensorsWriter.write(transformer.resolve(PipelineFolder.WEIGHTS_FILE), weights,
                Map.of("format", "pt"));

        Path schedulerDir = Files.createDirectories(dir.resolve("scheduler"));
        ObjectNode sc = JSON.createObjectNode();
        sc.put("_class_name", "FlowMatchEulerDiscreteScheduler");
        sc.put("_diffusers_version", "0.32.0");
        sc.put("num_train_timesteps", scheduler.numTrainTimesteps());
        sc.put("shift", scheduler.shift());
        writeJson(schedulerDir.resolve("scheduler_config.json"), sc);

        writeTokenizer(Files.createDirectories(dir.resolve("tokenizer")).resolve("tokenizer.json"), tokenizer, tokenizerFile);
        if (vaeDir != null) linkOrCopyVae(vaeDir, dir.resolve("vae"));
    }

    /** The tokenizer as a tokenizer.json: a copy of the file it was loaded from, or the built-in word list written out. */
    static void writeTokenizer(Path target, Tokenizer tokenizer, Path tokenizerFile) throws IOException {
        if (tokenizerFile != null) {
            Path src = Files.isDirectory(tokenizerFile) ? tokenizerFile.resolve("tokenizer.json") : tokenizerFile;
            Files.copy(src, target, StandardCopyOption.REPLACE_EXISTING);
        } else if (tokenizer instanceof WordLevelTokenizer w) {
            w.save(target);
        } else {
            throw new IOException("cannot save tokenizer " + tokenizer.getClass().getSimpleName() + " without its tokenizer.json");
        }
    }

    /**
     * The frozen VAE's config and weights, hard-linked where the file system allows (checkpoints
     * then cost no VAE-sized copies; neither side is ever written again), copied otherwise.
     */
    private static void linkOrCopyVae(Path vaeDir, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(vaeDir)) {
            for (Path f : files.filter(p -> Files.isRegularFile(p) && isVaeFile(p.getFileName().toString())).toList()) {
                Path target = to.resolve(f.getFileName());
                try {
                    Files.createLink(target, f.toRealPath());
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static boolean isVaeFile(String name) {
        return name.equals("config.json") || name.endsWith(".safetensors") || name.endsWith(".safetensors.index.json");
    }

    static void writeJson(Path file, ObjectNode node) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
        AtomicFiles.moveAtomically(tmp, file);
    }
}
