package dev.fusedit.shapes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.tensor.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of one benchmark run: each category's score (the fraction of its samples that pass),
 * the overall score (the mean of the category scores, as GenEval), the number of samples, and
 * every sample's verdict for inspection.
 *
 * <p>Next to the scores it reports how many objects the detector found per image, against how
 * many the prompts name: the checks (as GenEval's) let extra objects pass everywhere but in
 * counting, so a model that litters its images with fragments can raise the score without
 * drawing better shapes, and this is where that shows. The share of the detected objects the
 * prompt does not name ({@link #extraShare}, with {@link PromptCheck#named} saying which are named)
 * puts the same in one number: 0 for an image that holds only what its prompt names.
 */
public record ShapesReport(double overall, Map<Category, Double> categories, int samples, List<SampleResult> results) {

    /** The verdict on one image: which prompt (its index in the prompt list), which seed, what was found. */
    public record SampleResult(int promptIndex, ShapesPrompt prompt, long seed, boolean passed, List<DetectedObject> detected) {
        /** Detected objects the prompt does not name ({@link PromptCheck#named}). */
        public int extraObjects() {
            return detected.size() - PromptCheck.named(prompt, detected).size();
        }
    }

    public ShapesReport {
        categories = Collections.unmodifiableMap(new LinkedHashMap<>(categories));
        results = List.copyOf(results);
    }

    /** Mean number of detected objects per image over the samples of a category (null: all samples). */
    public double objectsPerImage(Category category) {
        return results.stream().filter(r -> category == null || r.prompt().category() == category)
                .mapToInt(r -> r.detected().size()).average().orElse(0);
    }

    /** Mean number of objects the prompts of a category name, per sample (null: all samples). */
    public double mentionedPerImage(Category category) {
        return results.stream().filter(r -> category == null || r.prompt().category() == category)
                .mapToInt(r -> PromptCheck.mentionedObjects(r.prompt())).average().orElse(0);
    }

    /**
     * Extra objects over all detected objects, summed over the samples of a category (null: all
     * samples); 0 where nothing was detected.
     */
    public double extraShare(Category category) {
        long extra = 0, all = 0;
        for (SampleResult r : results)
            if (category == null || r.prompt().category() == category) {
                extra += r.extraObjects();
                all += r.detected().size();
            }
        return all == 0 ? 0 : extra / (double) all;
    }

    /** The table eval-shapes prints: per category the score, passed/total, objects per image (named) and the extra share. */
    public String table() {
        Map<Category, int[]> tally = new EnumMap<>(Category.class);
        for (SampleResult r : results) {
            int[] t = tally.computeIfAbsent(r.prompt().category(), c -> new int[2]);
            if (r.passed()) t[0]++;
            t[1]++;
        }
        StringBuilder out = new StringBuilder(String.format("%-16s %7s %9s  %-21s %s%n", "category", "score", "passed", "objects/image (named)", "extra"));
        categories.forEach((c, score) -> out.append(String.format("%-16s %7.3f %4d/%-4d  %5.2f (%.2f)%12.2f%n", c.id(), score, tally.get(c)[0],
                tally.get(c)[1], objectsPerImage(c), mentionedPerImage(c), extraShare(c))));
        out.append(String.format("%-16s %7.3f %9s  %5.2f (%.2f)%12.2f%n", "overall", overall, samples + " samples",
                objectsPerImage(null), mentionedPerImage(null), extraShare(null)));
        return out.toString();
    }

    /**
     * {"overall": x, "categories": {"single_object": x, ...}, "samples": N, "objects_per_image":
     * {"overall": x, "single_object": x, ...}, "mentioned_per_image": {...}, "extra_share": {...}}
     */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("overall", overall);
        ObjectNode cats = root.putObject("categories");
        categories.forEach((c, score) -> cats.put(c.id(), score));
        root.put("samples", samples);
        ObjectNode found = root.putObject("objects_per_image"), named = root.putObject("mentioned_per_image"),
                extra = root.putObject("extra_share");
        found.put("overall", objectsPerImage(null));
        named.put("overall", mentionedPerImage(null));
        extra.put("overall", extraShare(null));
        for (Category c : categories.keySet()) {
            found.put(c.id(), objectsPerImage(c));
            named.put(c.id(), mentionedPerImage(c));
            extra.put(c.id(), extraShare(c));
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a report of numbers always serializes", e);
        }
    }

    /** Writes {@link #toJson()} to the file, replacing it atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }
}
