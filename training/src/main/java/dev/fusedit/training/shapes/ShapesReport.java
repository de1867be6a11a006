package dev.fusedit.training.shapes;

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
 */
public record ShapesReport(double overall, Map<Category, Double> categories, int samples, List<SampleResult> results) {

    /** The verdict on one image: which prompt (its index in the prompt list), which seed, what was found. */
    public record SampleResult(int promptIndex, ShapesPrompt prompt, long seed, boolean passed, List<DetectedObject> detected) {}

    public ShapesReport {
        categories = Collections.unmodifiableMap(new LinkedHashMap<>(categories));
        results = List.copyOf(results);
    }

    /** {"overall": x, "categories": {"single_object": x, ...}, "samples": N} */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("overall", overall);
        ObjectNode cats = root.putObject("categories");
        categories.forEach((c, score) -> cats.put(c.id(), score));
        root.put("samples", samples);
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
