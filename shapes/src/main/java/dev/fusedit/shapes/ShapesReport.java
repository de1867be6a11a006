package dev.fusedit.shapes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
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
 * drawing better shapes, and this is where that shows.
 */
public record ShapesReport(double overall, Map<Category, Double> categories, int samples, List<SampleResult> results) {

    /** The verdict on one image: which prompt (its index in the prompt list), which seed, what was found. */
    public record SampleResult(int promptIndex, ShapesPrompt prompt, long seed, boolean passed, List<DetectedObject> detected) {}

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
     * {"overall": x, "categories": {"single_object": x, ...}, "samples": N, "objects_per_image":
     * {"overall": x, "single_object": x, ...}, "mentioned_per_image": {...}}
     */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("overall", overall);
        ObjectNode cats = root.putObject("categories");
        categories.forEach((c, score) -> cats.put(c.id(), score));
        root.put("samples", samples);
        ObjectNode found = root.putObject("objects_per_image"), named = root.putObject("mentioned_per_image");
        found.put("overall", objectsPerImage(null));
        named.put("overall", mentionedPerImage(null));
        for (Category c : categories.keySet()) {
            found.put(c.id(), objectsPerImage(c));
            named.put(c.id(), mentionedPerImage(c));
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a report of numbers always serializes", e);
        }
    }

    /** Writes {@link #toJson()} to the file, replacing it atomically. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, toJson());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
