package dev.fusedit.training.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fusedit.model.config.ConfigFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * `fusedit train --set SECTION.KEY=VALUE`: assignments applied to a training YAML's tree before it
 * is read, so that an ablation is one flag on the shared config (`--set model.pos_embed=1d-rope`)
 * rather than a copied file. A value is read as YAML (numbers, true/false, null, [lists] and
 * strings come out as they would in the file); a key the YAML lacks is added, and the config
 * reader then rejects it by name if it is not a key the trainer knows.
 */
public final class ConfigOverrides {
    private ConfigOverrides() {}

    /** root with each "a.b.c=value" of assignments set, in order (file names the YAML in messages). */
    public static JsonNode apply(JsonNode root, List<String> assignments, Path file) throws IOException {
        if (assignments.isEmpty()) return root;
        if (!root.isObject()) throw new IOException(file + ": expected a YAML mapping of sections at the top");
        ObjectNode result = ((ObjectNode) root).deepCopy();
        for (String assignment : assignments) {
            int eq = assignment.indexOf('=');
            String path = eq < 0 ? "" : assignment.substring(0, eq).strip();
            if (path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains(".."))
                throw new IOException("--set " + assignment + ": expected SECTION.KEY=VALUE, e.g. model.pos_embed=1d-rope");
            String[] keys = path.split("\\.");
            ObjectNode parent = result;
            for (int i = 0; i < keys.length - 1; i++) {
                JsonNode child = parent.get(keys[i]);
                if (child == null || child.isNull()) child = parent.putObject(keys[i]);
                if (!child.isObject())
                    throw new IOException("--set " + assignment + ": " + file + " has a value, not a section, at "
                            + String.join(".", List.of(keys).subList(0, i + 1)));
                parent = (ObjectNode) child;
            }
            parent.set(keys[keys.length - 1], value(assignment, assignment.substring(eq + 1).strip()));
        }
        return result;
    }

    private static JsonNode value(String assignment, String text) throws IOException {
        return text.isEmpty() ? TextNode.valueOf("") : ConfigFiles.parseYaml(text, "--set " + assignment + ": the value");
    }
}
