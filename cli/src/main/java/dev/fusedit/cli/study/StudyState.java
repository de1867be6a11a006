package dev.fusedit.cli.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.tensor.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DIR/study-state.json: what a study has finished, rewritten whole (atomically) after every
 * finished training run and every evaluation, so that `--resume` skips exactly those. It also
 * keeps the study file's content (after --set) it was started with: a resume with a changed base,
 * set, run or eval section, or a changed variant, is refused (its runs would not be comparable);
 * more seeds or new variants are fine. The base training config's content is kept too, so that an
 * edit of that file under a study is refused as well (a state from before it was kept adopts the
 * file as it is).
 */
final class StudyState {
    static final String FILE = "study-state.json";
    private static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    /** The keys whose change makes finished runs incomparable with new ones. */
    private static final Set<String> FIXED = Set.of("base", "set", "run", "eval");

    /** One scored checkpoint. */
    record EvalRecord(long step, double minutes, double overall, Map<String, Double> categories, double objectsPerImage, double extraShare,
                      String evaluatedAt) {}

    /** One run: trained to its end (finalStep, minutes of training) or not yet, and its evaluations in step order. */
    record RunRecord(String variant, int seed, boolean trained, long finalStep, double minutes, String trainedAt, List<EvalRecord> evals) {
        RunRecord {
            evals = List.copyOf(evals);
        }

        EvalRecord eval(long step) {
            return evals.stream().filter(e -> e.step() == step).findFirst().orElse(null);
        }

        RunRecord withEval(EvalRecord e) {
            List<EvalRecord> all = new ArrayList<>(evals.stream().filter(x -> x.step() != e.step()).toList());
            all.add(e);
            all.sort(java.util.Comparator.comparingLong(EvalRecord::step));
            return new RunRecord(variant, seed, trained, finalStep, minutes, trainedAt, all);
        }
    }

    /** baseConfig null: a state written before the base's content was kept. */
    private record Stored(JsonNode study, JsonNode baseConfig, List<RunRecord> runs) {}

    private final Path file;
    private final JsonNode study;
    private final JsonNode baseConfig;
    private final Map<String, RunRecord> runs = new LinkedHashMap<>();

    private StudyState(Path file, JsonNode study, JsonNode baseConfig) {
        this.file = file;
        this.study = study;
        this.baseConfig = baseConfig;
    }

    /**
     * The state of a study in out: a fresh one (refused when out already holds a study or runs and
     * resume is false), or the stored one (refused when the study file changed where it matters).
     */
    static StudyState open(Path out, Study study, boolean resume) throws IOException {
        Path file = out.resolve(FILE);
        StudyState state = new StudyState(file, study.tree(), ConfigFiles.readYaml(study.base()));
        if (!Files.exists(file)) {
            if (!resume && Files.isDirectory(out.resolve("runs")))
                throw new IOException(out + " holds study runs already: pass --resume to finish them, or another --out");
            state.save();
            return state;
        }
        if (!resume) throw new IOException(out + " holds a study already (" + FILE + "): pass --resume to finish it, or another --out");
        Stored stored;
        try {
            stored = JSON.treeToValue(ConfigFiles.readJson(file), Stored.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not a study state: " + e.getOriginalMessage());
        }
        List<String> changed = changes(stored.study(), study.tree());
        if (!changed.isEmpty())
            throw new IOException(study.file() + " differs from the study " + out + " was started with, at " + String.join(", ", changed)
                    + ": finish it with the file as it was, or use another --out");
        if (stored.baseConfig() != null && !stored.baseConfig().equals(state.baseConfig))
            throw new IOException(study.base() + " (the study's base) differs from the one " + out + " was started with"
                    + ": finish it with the config as it was (it is kept in " + file + ", base_config), or use another --out");
        for (RunRecord r : stored.runs()) state.runs.put(key(r.variant(), r.seed()), r);
        return state;
    }

    /** Where two study trees differ in what finished runs depend on: the fixed sections, and variants present in both. */
    private static List<String> changes(JsonNode was, JsonNode now) {
        List<String> out = new ArrayList<>();
        for (String k : FIXED.stream().sorted().toList())
            if (!was.path(k).equals(now.path(k))) out.add(k);
        for (Iterator<String> it = was.path("variants").fieldNames(); it.hasNext(); ) {
            String v = it.next();
            if (now.path("variants").has(v) && !was.path("variants").get(v).equals(now.path("variants").get(v))) out.add("variants." + v);
        }
        return out;
    }

    private static String key(String variant, int seed) {
        return variant + "/" + seed;
    }

    /** The run's record, or a fresh one (not trained, no evaluations). */
    RunRecord run(String variant, int seed) {
        return runs.getOrDefault(key(variant, seed), new RunRecord(variant, seed, false, 0, 0, null, List.of()));
    }

    /** Records the run and writes the state file. */
    void put(RunRecord r) throws IOException {
        runs.put(key(r.variant(), r.seed()), r);
        save();
    }

    /** Every run recorded, in the order first recorded. */
    List<RunRecord> runs() {
        return List.copyOf(runs.values());
    }

    private void save() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.set("study", study);
        root.set("base_config", baseConfig);
        root.set("runs", JSON.valueToTree(runs.values()));
        AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    }
}
