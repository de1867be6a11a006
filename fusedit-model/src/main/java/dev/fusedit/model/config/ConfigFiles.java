package dev.fusedit.model.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fusedit.tensor.io.FormatException;

import java.io.CharConversionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads JSON and YAML files with one kind of error: "FILE: not valid JSON: why", "FILE: no such file". */
public final class ConfigFiles {
    private ConfigFiles() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static JsonNode readJson(Path file) throws IOException {
        return read(file, JSON, "JSON");
    }

    public static JsonNode readYaml(Path file) throws IOException {
        return read(file, YAML, "YAML");
    }

    /** A YAML value given as text (a command-line override), named by source in the error; empty text is null. */
    public static JsonNode parseYaml(String text, String source) throws IOException {
        try {
            JsonNode node = YAML.readTree(text);
            return node == null || node.isMissingNode() ? YAML.getNodeFactory().nullNode() : node;
        } catch (JacksonException e) {
            throw new IOException(source + ": not valid YAML: " + e.getOriginalMessage());
        }
    }

    private static JsonNode read(Path file, ObjectMapper mapper, String format) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "no such file");
        try {
            JsonNode node = mapper.readTree(file.toFile());
            if (node == null || node.isMissingNode()) throw new FormatException(file, "empty " + format + " file");
            return node;
        } catch (JacksonException e) {
            throw new FormatException(file, "not valid " + format + ": " + e.getOriginalMessage());
        } catch (CharConversionException e) {
            // bytes that are no Unicode text: Jackson's decoder reports them outside its own exceptions
            throw new FormatException(file, "not valid " + format + " (not UTF-8 text): " + e.getMessage());
        }
    }
}
