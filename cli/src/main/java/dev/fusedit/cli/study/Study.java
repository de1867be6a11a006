package dev.fusedit.cli.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.fusedit.ModelSection;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.shapes.ShapesBenchmark;
import dev.fusedit.shapes.ShapesEvaluator;
import dev.fusedit.training.config.ConfigOverrides;
import dev.fusedit.training.config.ConfigOverrides.Assignment;
import dev.fusedit.training.config.TrainConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A study file (studies/NAME.yaml): a base training config, named variants of it (each a set of
 * the `--set` assignments of `fusedit train`), the seeds every variant is trained with, how long a
 * run trains (steps, minutes of training time, or both: whichever comes first), and how its
 * checkpoints are scored (the shapes benchmark at the listed steps and, unless eval.final is false,
 * at the run's last step). Read with the project's YAML reader and checked whole before anything
 * runs: a bad key fails with the file and the key's path, a variant whose overrides the trainer
 * refuses with the variant's name and the trainer's own message. Relative paths start at the
 * working directory, like every path in a training YAML.
 *
 * @param tree the study's YAML after --set, for telling on --resume whether the file has changed
 */
public record Study(Path file, String name, JsonNode tree, Path base, List<Assignment> common, Map<String, List<Assignment>> variants,
                    List<Integer> seeds, int steps, double minutes, Eval eval) {

    /**
     * How checkpoints are scored: the steps (ascending), whether the run's last checkpoint is scored
     * too, the prompt file (null: the checkout's benchmarks/shapes-eval.jsonl), the first
     * promptsPerCategory prompts of each category (0: all), samples per prompt, guidance (null: each
     * checkpoint's own, from trainer.guidance_scale), denoising
     * steps, the sampler (null: the model's), images per denoising pass, and the prompts per
     * category the side-by-side grid shows.
     */
    public record Eval(List<Long> steps, boolean atEnd, Path prompts, int promptsPerCategory, int samples, Double guidance, int samplingSteps,
                       Boolean stochastic, int batch, int gridPerCategory) {
        /** The sampling settings of every evaluation. */
        public SampleOptions sampleOptions() {
            return SampleOptions.defaults().withSteps(samplingSteps).withGuidance(guidance).withStochasticSampling(stochastic);
        }
    }

    private static final Pattern VARIANT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /**
     * Reads and checks the study at file with the --set assignments (on the study's own keys)
     * applied first, down to each variant's model (its shape is checked as the trainer checks it,
     * so model.base must be found from the working directory).
     */
    public static Study read(Path file, List<String> sets) throws IOException {
        Study study = readKeys(file, sets);
        for (String name : study.variants().keySet()) {
            TrainConfig cfg = study.trainConfig(name, study.seeds().getFirst());
            if (cfg.model().path("name").asText().endsWith("ForCausalLM")) continue;
            try {
                ModelSection.fromModelSection(new ConfigReader(cfg.file(), "model.", cfg.model()), cfg.file());
            } catch (IOException e) {
                throw new IOException(file + ": variants." + name + ": " + e.getMessage(), e);
            }
        }
        return study;
    }

    /** {@link #read} without the models' check: every key of the study and of each variant's training config. */
    static Study readKeys(Path file, List<String> sets) throws IOException {
        JsonNode tree = ConfigOverrides.apply(ConfigFiles.readYaml(file), sets, file);
        ConfigReader top = new ConfigReader(file, "", tree);
        top.allowOnly(Set.of("description", "base", "set", "variants", "seeds", "run", "eval"), Set.of(), k -> {});

        Path base = Path.of(top.requireString("base"));
        top.check(Files.isRegularFile(base), "base", base + ": no such training config");
        List<Assignment> common = top.has("set") ? assignments(top.object("set"), file, "set.") : List.of();

        ConfigReader v = top.object("variants");
        Map<String, List<Assignment>> variants = new LinkedHashMap<>();
        for (Iterator<String> it = v.node().fieldNames(); it.hasNext(); ) {
            String name = it.next();
            v.check(VARIANT_NAME.matcher(name).matches(), name, "a variant's name is its folder name: letters, digits, '.', '_' and '-'");
            variants.put(name, v.has(name) ? assignments(v.object(name), file, "variants." + name + ".") : List.of());
        }
        top.check(!variants.isEmpty(), "variants", "expected at least one variant (NAME: {} is the base config as it is)");

        JsonNode seedsNode = top.raw("seeds");
        top.check(seedsNode != null && seedsNode.isArray() && !seedsNode.isEmpty(), "seeds", "expected a list of trainer seeds, e.g. [1, 2]");
        List<Integer> seeds = new ArrayList<>();
        for (JsonNode s : seedsNode) {
            top.check(s.isInt() && s.asInt() >= 0, "seeds", "expected integers from 0 up, got " + s);
            top.check(!seeds.contains(s.asInt()), "seeds", "seed " + s + " is listed twice");
            seeds.add(s.asInt());
        }

        ConfigReader run = top.object("run");
        run.allowOnly(Set.of("steps", "minutes"), Set.of(), k -> {});
        int steps = run.optInt("steps", 0);
        double minutes = run.optDouble("minutes", 0);
        run.check(run.has("steps") || run.has("minutes"), "steps", "a run needs a length: steps, minutes of training time, or both");
        run.check(!run.has("steps") || steps >= 1, "steps", "must be at least 1, got " + steps);
        run.check(!run.has("minutes") || minutes > 0, "minutes", "must be more than 0, got " + minutes);

        Eval eval = readEval(top.object("eval"), steps);
        Study study = new Study(file, nameOf(file), tree, base, List.copyOf(common), variants, List.copyOf(seeds), steps, minutes, eval);
        for (String name : variants.keySet()) {
            if (steps > 0 && variants.get(name).stream().anyMatch(a -> a.path().equals("trainer.max_steps")))
                throw new IOException(file + ": variants." + name + ": trainer.max_steps: the study's run.steps ends every run; give one or the other");
            TrainConfig cfg = study.trainConfig(name, seeds.getFirst());
            String lr = cfg.lrScheduler().name();
            if (steps == 0 && (lr.equals("cosine") || lr.equals("warmup_stable_decay")))
                throw new IOException(file + ": run.minutes: variant " + name + " decays its learning rate (" + lr
                        + "), which needs an end step: give run.steps too");
        }
        return study;
    }

    private static Eval readEval(ConfigReader e, int runSteps) throws IOException {
        e.allowOnly(Set.of("steps", "final", "prompts", "prompts_per_category", "samples", "guidance", "sampling_steps", "sampler", "batch",
                "grid_per_category"), Set.of(), k -> {});
        List<Long> steps = new ArrayList<>();
        JsonNode s = e.raw("steps");
        if (s != null && !s.isNull()) {
            e.check(s.isArray(), "steps", "expected a list of training steps, e.g. [1000, 2000]");
            for (JsonNode n : s) {
                e.check(n.isIntegralNumber() && n.asLong() >= 1, "steps", "expected training steps from 1 up, got " + n);
                e.check(steps.isEmpty() || n.asLong() > steps.getLast(), "steps", "expected ascending steps, got " + n + " after " + (steps.isEmpty() ? "" : steps.getLast()));
                e.check(runSteps == 0 || n.asLong() <= runSteps, "steps", "step " + n + " is past the run's end (run.steps " + runSteps + ")");
                steps.add(n.asLong());
            }
        }
        boolean atEnd = e.optBoolean("final", true);
        e.check(atEnd || !steps.isEmpty(), "final", "is false and no steps are listed: nothing would be evaluated");
        String sampler = e.optString("sampler", null);
        e.check(sampler == null || sampler.equals("euler") || sampler.equals("stochastic"), "sampler", "expected euler or stochastic, got " + sampler);
        Eval eval = new Eval(List.copyOf(steps), atEnd, e.has("prompts") ? Path.of(e.requireString("prompts")) : null,
                e.optInt("prompts_per_category", 0), e.optInt("samples", ShapesEvaluator.DEFAULT_SAMPLES_PER_PROMPT),
                e.has("guidance") ? e.optDouble("guidance", Double.NaN) : null, e.optInt("sampling_steps", SampleOptions.DEFAULT_STEPS),
                sampler == null ? null : sampler.equals("stochastic"), e.optInt("batch", ShapesBenchmark.DEFAULT_BATCH), e.optInt("grid_per_category", 2));
        e.check(!e.has("prompts") || Files.isRegularFile(eval.prompts()), "prompts", eval.prompts() + ": no such prompt file");
        e.check(eval.promptsPerCategory() >= 0, "prompts_per_category", "expected 0 (all) or more, got " + eval.promptsPerCategory());
        e.check(eval.samples() >= 1, "samples", "must be at least 1, got " + eval.samples());
        e.check(eval.guidance() == null || Double.isFinite(eval.guidance()), "guidance", "expected a number, got " + eval.guidance());
        e.check(eval.samplingSteps() >= 1, "sampling_steps", "must be at least 1, got " + eval.samplingSteps());
        e.check(eval.batch() >= 1, "batch", "must be at least 1, got " + eval.batch());
        e.check(eval.gridPerCategory() >= 1, "grid_per_category", "must be at least 1, got " + eval.gridPerCategory());
        return eval;
    }

    /** Each key of a mapping (a dotted training-YAML path) with its value, as assignments named by their place in the file. */
    private static List<Assignment> assignments(ConfigReader section, Path file, String prefix) throws IOException {
        List<Assignment> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = section.node().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            out.add(Assignment.of(f.getKey(), f.getValue(), file + ": " + prefix + f.getKey()));
        }
        return out;
    }

    private static String nameOf(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** What one run sets on the base config: the study's common set, the variant's, the seed, and the time budget. */
    public List<Assignment> assignments(String variant, int seed) throws IOException {
        List<Assignment> out = new ArrayList<>(common);
        out.addAll(variants.get(variant));
        out.add(Assignment.of("trainer.seed", IntNode.valueOf(seed), file + ": seeds"));
        if (minutes > 0) out.add(Assignment.of("trainer.max_minutes", DoubleNode.valueOf(minutes), file + ": run.minutes"));
        return out;
    }

    /** The training config of one run, a trainer refusal named with the variant. */
    public TrainConfig trainConfig(String variant, int seed) throws IOException {
        try {
            return TrainConfig.readWith(base, assignments(variant, seed));
        } catch (IOException e) {
            throw new IOException(file + ": variants." + variant + ": " + e.getMessage(), e);
        }
    }

    /**
     * The step a run of the variant ends at unless its minutes end it first: run.steps, or where the
     * study leaves it out, the run's own trainer.max_steps (so variants of different step costs can
     * train to steps of equal minutes measured once, which work beside the study does not shorten).
     */
    public long maxSteps(String variant) throws IOException {
        return steps > 0 ? steps : trainConfig(variant, seeds.getFirst()).trainer().maxSteps();
    }

    /** "model.patch_size=2, data.batch_size=32", or "the base config". */
    public String describe(String variant) {
        List<Assignment> a = variants.get(variant);
        return a.isEmpty() ? "the base config" : String.join(", ", a.stream().map(Assignment::toString).toList());
    }
}
