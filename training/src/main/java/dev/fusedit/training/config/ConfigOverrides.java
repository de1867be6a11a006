package dev.fusedit.training.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `fusedit train --set SECTION.KEY=VALUE`: assignments applied to a training YAML's tree before it
 * is read, so that an ablation is one flag on the shared config (`--set model.pos_embed=1d-rope`)
 * rather than a copied file. A value is read as YAML (numbers, true/false, null, [lists] and
 * strings come out as they would in the file); a key the YAML lacks is added, and the config
 * reader then rejects it by name if it is not a key the trainer knows. A study's variants are
 * the same assignments with their values already parsed ({@link Assignment#of}).
 */
public final class ConfigOverrides {
    private ConfigOverrides() {}

    /**
     * One assignment: a dotted key path, its value, and where it came from for messages
     * ("--set model.x=1", or "studies/s.yaml: variants.p2.model.x").
     */
    public record Assignment(String path, JsonNode value, String source) {
        /** "a.b.c=value" as --set gives it, the value read as YAML. */
        public static Assignment parse(String text) throws IOException {
            int eq = text.indexOf('=');
            String path = eq < 0 ? "" : text.substring(0, eq).strip();
            String source = "--set " + text;
            checkPath(path, source);
            String value = text.substring(eq + 1).strip();
            return new Assignment(path, value.isEmpty() ? TextNode.valueOf("") : ConfigFiles.parseYaml(value, source + ": the value"), source);
        }

        /** A key path with a value already parsed (from a YAML file), named by source in messages. */
        public static Assignment of(String path, JsonNode value, String source) throws IOException {
            checkPath(path, source);
            return new Assignment(path, value, source);
        }

        private static void checkPath(String path, String source) throws IOException {
            if (path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains(".."))
                throw new IOException(source + ": expected SECTION.KEY=VALUE, e.g. model.pos_embed=1d-rope");
        }

        /** SECTION.KEY=VALUE, the value as JSON. */
        @Override
        public String toString() {
            return path + "=" + (value.isTextual() ? value.asText() : value.toString());
        }
    }

    /** The --set texts parsed. */
    public static List<Assignment> parse(List<String> texts) throws IOException {
        List<Assignment> out = new ArrayList<>();
        for (String t : texts) out.add(Assignment.parse(t));
        return out;
    }

    /** root with each "a.b.c=value" of assignments set, in order (file names the YAML in messages). */
    public static JsonNode apply(JsonNode root, List<String> assignments, Path file) throws IOException {
        return applyAll(root, parse(assignments), file);
    }

    /** root with each assignment set, in order (file names the YAML in messages). */
    public static JsonNode applyAll(JsonNode root, List<Assignment> assignments, Path file) throws IOException {
        if (assignments.isEmpty()) return root;
        if (!root.isObject()) throw new FormatException(file, "expected a YAML mapping of sections at the top");
        ObjectNode result = ((ObjectNode) root).deepCopy();
        for (Assignment a : assignments) {
            String[] keys = a.path().split("\\.");
            ObjectNode parent = result;
            for (int i = 0; i < keys.length - 1; i++) {
                JsonNode child = parent.get(keys[i]);
                if (child == null || child.isNull()) child = parent.putObject(keys[i]);
                if (!child.isObject())
                    throw new IOException(a.source() + ": " + file + " has a value, not a section, at "
                            + String.join(".", List.of(keys).subList(0, i + 1)));
                parent = (ObjectNode) child;
            }
            parent.set(keys[keys.length - 1], a.value());
        }
        return result;
    }
}
