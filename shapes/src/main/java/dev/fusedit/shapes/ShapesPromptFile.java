package dev.fusedit.shapes;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusedit.tensor.io.FormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an evaluation prompt file such as benchmarks/shapes-eval.jsonl: one JSON object a line,
 * {"category", "prompt", "shapes", and where the category uses them "colors", "count", "relation"}.
 * Every prompt's text must be its template filled with its fields, so a typo cannot silently
 * change what is checked.
 */
public final class ShapesPromptFile {
    /** Where the CLI and the tests find the benchmark, relative to the repository root. */
    public static final Path DEFAULT = Path.of("benchmarks", "shapes-eval.jsonl");

    private ShapesPromptFile() {}

    public static List<ShapesPrompt> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "no such prompt file");
        ObjectMapper json = new ObjectMapper();
        List<ShapesPrompt> prompts = new ArrayList<>();
        // decoded leniently, so bytes that are not UTF-8 reach the JSON parser's check with a line number
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                try {
                    prompts.add(parse(json.readTree(line)));
                } catch (JacksonException e) {
                    throw new FormatException(file, lineNo, "not valid JSON: " + e.getOriginalMessage());
                } catch (IllegalArgumentException e) {
                    throw new FormatException(file, lineNo, e.getMessage());
                }
            }
        }
        if (prompts.isEmpty()) throw new FormatException(file, "holds no prompts");
        return prompts;
    }

    static ShapesPrompt parse(JsonNode node) {
        if (node == null || !node.isObject()) throw new IllegalArgumentException("expected a JSON object");
        Category category = Category.fromId(text(node, "category"));
        String prompt = text(node, "prompt");
        List<ShapeKind> shapes = new ArrayList<>();
        for (JsonNode s : array(node, "shapes")) shapes.add(ShapeKind.fromWord(s.asText()));
        List<ShapeColor> colors = new ArrayList<>();
        if (node.has("colors")) for (JsonNode c : array(node, "colors")) colors.add(ShapeColor.fromWord(c.asText()));
        int count = 0;
        if (node.has("count")) {
            if (!node.get("count").isInt()) throw new IllegalArgumentException("field \"count\" must be an integer");
            count = node.get("count").asInt();
        }
        Relation relation = node.has("relation") ? Relation.fromPhrase(text(node, "relation")) : null;
        return new ShapesPrompt(category, prompt, shapes, colors, count, relation);
    }

    private static String text(JsonNode node, String field) {
        if (!node.path(field).isTextual()) throw new IllegalArgumentException("expected a string field \"" + field + "\"");
        return node.get(field).asText();
    }

    private static JsonNode array(JsonNode node, String field) {
        if (!node.path(field).isArray()) throw new IllegalArgumentException("expected an array field \"" + field + "\"");
        return node.get(field);
    }
}
