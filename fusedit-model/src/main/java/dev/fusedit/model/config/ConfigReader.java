package dev.fusedit.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Typed access to one JSON object of a config file, with errors that name the file and the
 * field ("config.json: num_hidden_layers: required integer is missing"). Unknown fields are
 * simply never asked for, so they are ignored.
 */
public final class ConfigReader {
    private final Path file;
    private final String prefix;
    private final JsonNode node;

    public ConfigReader(Path file, String prefix, JsonNode node) throws IOException {
        if (node == null || !node.isObject())
            throw new FormatException(file, (prefix.isEmpty() ? "top level" : prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix)
                    + ": must be a JSON object");
        this.file = file;
        this.prefix = prefix;
        this.node = node;
    }

    public Path file() {
        return file;
    }

    public boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    private IOException error(String field, String problem) {
        return new FormatException(file, prefix + field + ": " + problem);
    }

    public int requireInt(String field) throws IOException {
        if (!has(field)) throw error(field, "required integer is missing");
        JsonNode v = node.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error(field, "expected an integer, got " + v);
        return v.asInt();
    }

    public int optInt(String field, int fallback) throws IOException {
        return has(field) ? requireInt(field) : fallback;
    }

    public double requireDouble(String field) throws IOException {
        if (!has(field)) throw error(field, "required number is missing");
        JsonNode v = node.get(field);
        if (!v.isNumber()) throw error(field, "expected a number, got " + v);
        return v.asDouble();
    }

    public double optDouble(String field, double fallback) throws IOException {
        return has(field) ? requireDouble(field) : fallback;
    }

    public boolean optBoolean(String field, boolean fallback) throws IOException {
        if (!has(field)) return fallback;
        JsonNode v = node.get(field);
        if (!v.isBoolean()) throw error(field, "expected true or false, got " + v);
        return v.asBoolean();
    }

    public String requireString(String field) throws IOException {
        if (!has(field)) throw error(field, "required string is missing");
        JsonNode v = node.get(field);
        if (!v.isTextual()) throw error(field, "expected a string, got " + v);
        return v.asText();
    }

    public String optString(String field, String fallback) throws IOException {
        return has(field) ? requireString(field) : fallback;
    }

    /** The nested object {@code field} (required). */
    public ConfigReader object(String field) throws IOException {
        if (!has(field)) throw error(field, "required object is missing");
        return new ConfigReader(file, prefix + field + ".", node.get(field));
    }

    public JsonNode raw(String field) {
        return node.get(field);
    }

    public JsonNode node() {
        return node;
    }

    /**
     * Fails on the first key that is neither supported nor known-and-ignored, naming it; reports
     * each ignored key that is present through {@code ignoredNote} (e.g. settings of the
     * reference's TPU runtime that mean nothing here).
     */
    public void allowOnly(java.util.Set<String> supported, java.util.Set<String> ignored, java.util.function.Consumer<String> ignoredNote)
            throws IOException {
        for (java.util.Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (supported.contains(key)) continue;
            if (ignored.contains(key)) {
                ignoredNote.accept(prefix + key);
                continue;
            }
            throw error(key, "unknown key (supported here: " + String.join(", ", new java.util.TreeSet<>(supported)) + ")");
        }
    }

    /** Fails naming the field when a condition on its value does not hold. */
    public void check(boolean ok, String field, String expectation) throws IOException {
        if (!ok) throw error(field, expectation);
    }
}
