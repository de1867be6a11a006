package dev.fusedit.training.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.fusedit.ModelSection;
import dev.fusedit.tensor.io.FormatException;
import dev.fusedit.training.optim.LearningRate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A training YAML in the reference's layout: sections trainer, model, ema, optimizer,
 * lr_scheduler, data (and vae, noise_scheduler), keys as the reference names them. A key we do
 * not implement fails with its name; keys that only configure the reference's TPU/GPU runtime
 * (XLA cache, wandb project, loader worker counts, ...) are accepted and listed in
 * {@link #ignoredKeys()} so the trainer can say it ignores them.
 */
public record TrainConfig(
        Path file,
        Trainer trainer,
        JsonNode model,
        Ema ema,
        Optimizer optimizer,
        LrScheduler lrScheduler,
        Data data,
        String vaePath,
        String schedulerPath,
        List<String> ignoredKeys) {

    /**
     * maxMinutes: a budget of training time (0 = none); the run stops at whichever of it and maxSteps comes first.
     * guidanceScale: the classifier-free guidance the run's pipeline folders record as their sampling default
     * (model_index.json guidance_scale) and its eval grids use; null: none recorded (samplers use the paper's 6).
     */
    public record Trainer(int maxSteps, double maxMinutes, int checkpointingSteps, int loggingSteps, int gradientAccumulationSteps,
                          double gradientClipping, double logitMean, double logitStd, double modeScale, String weightingScheme,
                          boolean preconditionOutputs, long seed, boolean trainDit, boolean trainLlm, String resumeFrom,
                          String run, String textModel, int evalSteps, List<String> evalPrompts, Double guidanceScale) {}

    /** updateSteps 0 = no EMA (the reference's update_steps: null). */
    public record Ema(double decay, int updateSteps) {}

    public record Optimizer(double lr, double weightDecay, double beta1, double beta2, double eps) {}

    /** numDecaySteps: only warmup_stable_decay reads it (the last steps, going down to 0). */
    public record LrScheduler(String name, int numWarmupSteps, int numDecaySteps) {}

    /**
     * source "shapes" (the built-in world), "webdataset" (tar shards at dataPath) or "latents" (shards of
     * VAE latent distributions that `fusedit spark latents` wrote from webdataset shards; the trainer
     * then does not run the VAE encoder). captionColumn is
     * the caption member (the "synthetic" one of the reference's {original, synthetic} form);
     * originalCaptionColumn, when that form names one, is used instead with probability
     * originalCaptionRate in samples that have it.
     */
    public record Data(String source, int batchSize, int resolution, double randomDroppingRate, int maxPromptLength,
                       String dataPath, String imageColumn, String captionColumn, boolean centerCrop, String instruction,
                       String tokenizer, long seed, String originalCaptionColumn, double originalCaptionRate) {}

    /** What eval-step grids show when trainer.eval_prompts is not given: one prompt of each shapes category, two of the hard ones. */
    static final List<String> DEFAULT_EVAL_PROMPTS = List.of("a red circle", "a square and a triangle", "three circles", "a blue triangle",
            "a yellow square left of a cyan circle", "a triangle above a square", "a green circle and a magenta square", "four squares");

    private static List<String> evalPrompts(ConfigReader t) throws IOException {
        JsonNode node = t.raw("eval_prompts");
        if (node == null || node.isNull()) return DEFAULT_EVAL_PROMPTS;
        t.check(node.isArray() && !node.isEmpty(), "eval_prompts", "expected a non-empty list of prompts");
        List<String> prompts = new ArrayList<>();
        for (JsonNode p : node) {
            t.check(p.isTextual(), "eval_prompts", "expected strings, got " + p);
            prompts.add(p.asText());
        }
        return List.copyOf(prompts);
    }

    public static TrainConfig read(Path file) throws IOException {
        return read(file, List.of());
    }

    /** The YAML at file with the {@link ConfigOverrides} assignments (SECTION.KEY=VALUE) applied first. */
    public static TrainConfig read(Path file, List<String> overrides) throws IOException {
        return readWith(file, ConfigOverrides.parse(overrides));
    }

    /** The YAML at file with the assignments applied first. */
    public static TrainConfig readWith(Path file, List<ConfigOverrides.Assignment> overrides) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "no such training config");
        JsonNode root = ConfigOverrides.applyAll(ConfigFiles.readYaml(file), overrides, file);
        ConfigReader top = new ConfigReader(file, "", root);
        List<String> ignored = new ArrayList<>();
        top.allowOnly(Set.of("trainer", "model", "ema", "optimizer", "lr_scheduler", "data", "vae", "noise_scheduler"), Set.of(), ignored::add);

        ConfigReader t = top.object("trainer");
        t.allowOnly(Set.of("max_steps", "max_minutes", "checkpointing_steps", "logging_steps", "gradient_accumulation_steps",
                        "gradient_clipping", "logit_mean", "logit_std", "mode_scale", "weighting_scheme", "precondition_outputs", "seed",
                        "train_dit", "train_llm", "resume_from", "run", "checkpoint_dir", "text_model", "eval_steps", "eval_prompts",
                        "guidance_scale"),
                Set.of("cache_dir", "consolidation_steps", "enable_gradient_checkpointing", "hard_skip_resume", "mixed_precision", "project"),
                ignored::add);
        String weighting = t.optString("weighting_scheme", "logit_normal");
        t.check(weighting.equals("logit_normal") || weighting.equals("none") || weighting.equals("uniform"), "weighting_scheme",
                "expected logit_normal, uniform or none, got " + weighting);
        Trainer trainer = new Trainer(
                positive(t, "max_steps", t.requireInt("max_steps")),
                t.optDouble("max_minutes", 0),
                t.optInt("checkpointing_steps", 1000),
                t.optInt("logging_steps", 10),
                positive(t, "gradient_accumulation_steps", t.optInt("gradient_accumulation_steps", 1)),
                t.optDouble("gradient_clipping", 1.0),
                t.optDouble("logit_mean", 0.0),
                t.optDouble("logit_std", 1.0),
                t.optDouble("mode_scale", 1.29),
                weighting,
                t.optBoolean("precondition_outputs", false),
                t.has("seed") ? t.requireInt("seed") : 42,
                t.optBoolean("train_dit", true),
                t.optBoolean("train_llm", false),
                t.optString("resume_from", null),
                t.optString("run", "run"),
                t.optString("text_model", null),
                t.optInt("eval_steps", 0),
                evalPrompts(t),
                t.has("guidance_scale") ? t.optDouble("guidance_scale", Double.NaN) : null);
        t.check(trainer.guidanceScale() == null || (Double.isFinite(trainer.guidanceScale()) && trainer.guidanceScale() >= 0), "guidance_scale",
                "expected a number of at least 0 (1 or less: no guidance), got " + trainer.guidanceScale());
        t.check(trainer.maxMinutes() >= 0 && Double.isFinite(trainer.maxMinutes()), "max_minutes",
                "expected minutes of training time (0 or absent: no limit), got " + trainer.maxMinutes());
        t.check(trainer.evalSteps() >= 0 && (trainer.evalSteps() == 0 || trainer.evalSteps() % trainer.checkpointingSteps() == 0), "eval_steps",
                "expected 0 (none) or a multiple of checkpointing_steps (" + trainer.checkpointingSteps() + "): grids are sampled from checkpoints; got "
                        + trainer.evalSteps());

        Ema ema = new Ema(0.99, 0);
        if (top.has("ema")) {
            ConfigReader e = top.object("ema");
            e.allowOnly(Set.of("decay", "update_steps"), Set.of(), ignored::add);
            ema = new Ema(e.optDouble("decay", 0.99), e.has("update_steps") ? positive(e, "update_steps", e.requireInt("update_steps")) : 0);
        }

        ConfigReader o = top.object("optimizer");
        o.allowOnly(Set.of("lr", "weight_decay", "beta1", "beta2", "eps"), Set.of(), ignored::add);
        Optimizer optimizer = new Optimizer(o.requireDouble("lr"), o.optDouble("weight_decay", 1e-2), o.optDouble("beta1", 0.9),
                o.optDouble("beta2", 0.999), o.optDouble("eps", 1e-8));

        LrScheduler lr = new LrScheduler("constant", 0, 0);
        if (top.has("lr_scheduler")) {
            ConfigReader l = top.object("lr_scheduler");
            l.allowOnly(Set.of("name", "num_warmup_steps", "num_decay_steps"), Set.of(), ignored::add);
            lr = new LrScheduler(l.optString("name", "constant"), l.optInt("num_warmup_steps", 0), l.optInt("num_decay_steps", 0));
            l.check(LearningRate.NAMES.contains(lr.name()), "name", "expected one of " + String.join(", ", LearningRate.NAMES) + ", got " + lr.name());
        }

        ConfigReader d = top.object("data");
        d.allowOnly(Set.of("source", "batch_size", "resolution", "random_dropping_rate", "max_prompt_length", "data_path", "image_column",
                        "caption_column", "center_crop", "instruction", "tokenizer", "seed", "original_caption_rate"),
                Set.of("dataloader_num_workers", "device_prefetch_size", "loader_prefetch_size", "apply_chat_template"), ignored::add);
        String source = d.optString("source", d.has("data_path") ? "webdataset" : "shapes");
        d.check(source.equals("shapes") || source.equals("webdataset") || source.equals("latents"), "source",
                "expected shapes, webdataset or latents (shards of `fusedit spark latents`), got " + source);
        JsonNode captionColumn = d.raw("caption_column");
        String caption = captionColumn == null || captionColumn.isNull() ? "txt"
                : captionColumn.isTextual() ? captionColumn.asText() : captionColumn.path("synthetic").asText("txt");
        String originalCaption = captionColumn != null && captionColumn.isObject() && captionColumn.hasNonNull("original")
                ? captionColumn.get("original").asText() : null;
        double originalRate = d.optDouble("original_caption_rate", 0.0);
        d.check(originalRate >= 0 && originalRate <= 1, "original_caption_rate", "must be between 0 and 1, got " + originalRate);
        d.check(originalRate == 0 || originalCaption != null, "original_caption_rate",
                "is " + originalRate + " but caption_column names no original caption (expected {original: EXT, synthetic: EXT})");
        Data data = new Data(source, positive(d, "batch_size", d.requireInt("batch_size")), positive(d, "resolution", d.optInt("resolution", 32)),
                d.optDouble("random_dropping_rate", 0.1), positive(d, "max_prompt_length", d.optInt("max_prompt_length", 256)),
                d.optString("data_path", null), d.optString("image_column", "image.jpg"), caption, d.optBoolean("center_crop", true),
                d.optString("instruction", ""), d.optString("tokenizer", null), d.has("seed") ? d.requireInt("seed") : trainer.seed(),
                originalCaption, originalRate);
        if (!source.equals("shapes") && data.dataPath() == null) throw new FormatException(file, "data.data_path is required for " + source + " data");

        ConfigReader m = top.object("model");
        // a misspelt model key would otherwise train the unchanged model without a word
        m.allowOnly(m.optString("name", "").endsWith("ForCausalLM") ? Set.of("name", "base") : ModelSection.KEYS, ModelSection.IGNORED_KEYS,
                ignored::add);
        return new TrainConfig(file, trainer, m.node(), ema, optimizer, lr, data,
                pathOf(top, "vae", ignored), pathOf(top, "noise_scheduler", ignored), List.copyOf(ignored));
    }

    /** A local folder for vae / noise_scheduler: {path: DIR}, or the reference's hub form, which cannot be downloaded here. */
    private static String pathOf(ConfigReader top, String section, List<String> ignored) throws IOException {
        if (!top.has(section)) return null;
        ConfigReader s = top.object(section);
        s.allowOnly(Set.of("path"), Set.of("pretrained_model_name_or_path", "subfolder"), ignored::add);
        return s.optString("path", null);
    }

    private static int positive(ConfigReader c, String field, int value) throws IOException {
        c.check(value >= 1, field, "must be at least 1, got " + value);
        return value;
    }
}
