package dev.fusedit.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutates JSON and YAML inputs as trees: one value somewhere in the document is replaced (by a
 * hostile number, a wrong type, a path, a huge string or array), removed, or given a sibling.
 * Byte edits mostly make text unparseable, so they test the parser; tree edits keep it parseable
 * and reach what the reader checks field by field, which is where the project's own code is.
 */
final class TreeMutator {
    /** SAFETENSORS: the JSON header after the 8-byte length is edited as a tree, and the length rewritten to fit. */
    enum Format { JSON, YAML, JSON_LINES, SAFETENSORS }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final SplittableRandom rng;
    private final Format format;

    TreeMutator(SplittableRandom rng, Format format) {
        this.rng = rng;
        this.format = format;
    }

    /** The input with one tree edit, or null when it does not parse (then only byte edits apply). */
    byte[] mutate(byte[] input) {
        try {
            if (format == Format.JSON_LINES) {
                String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
                if (lines.length == 0) return null;
                int at = rng.nextInt(lines.length);
                JsonNode line = JSON.readTree(lines[at]);
                if (line == null || line.isMissingNode()) return null;
                lines[at] = JSON.writeValueAsString(edit(line));
                return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
            }
            if (format == Format.SAFETENSORS) {
                if (input.length < 8) return null;
                ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
                long n = in.getLong(0);
                if (n < 2 || n > input.length - 8) return null;
                JsonNode header = JSON.readTree(Arrays.copyOfRange(input, 8, 8 + (int) n));
                byte[] edited = JSON.writeValueAsBytes(edit(header));
                return ByteBuffer.allocate(8 + edited.length + input.length - 8 - (int) n).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(edited.length).put(edited).put(input, 8 + (int) n, input.length - 8 - (int) n).array();
            }
            ObjectMapper mapper = format == Format.YAML ? YAML : JSON;
            JsonNode root = mapper.readTree(input);
            if (root == null || root.isMissingNode()) return null;
            return mapper.writeValueAsBytes(edit(root));
        } catch (IOException | RuntimeException unparseable) {
            return null;
        }
    }

    private JsonNode edit(JsonNode root) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) return hostileValue();
        JsonNode c = containers.get(rng.nextInt(containers.size()));
        if (c instanceof ObjectNode o) {
            List<String> keys = new ArrayList<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) keys.add(it.next());
            int what = rng.nextInt(10);
            if (keys.isEmpty() || what == 0) o.set(rng.nextBoolean() ? "unexpected_key" : "\u0000", hostileValue());
            else if (what == 1) o.remove(keys.get(rng.nextInt(keys.size())));
            else o.set(keys.get(rng.nextInt(keys.size())), hostileValue());
        } else if (c instanceof ArrayNode a) {
            int what = rng.nextInt(10);
            if (a.isEmpty() || what == 0) a.add(hostileValue());
            else if (what == 1) a.remove(rng.nextInt(a.size()));
            else a.set(rng.nextInt(a.size()), hostileValue());
        }
        return root;
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (!n.isContainerNode()) return;
        out.add(n);
        for (JsonNode child : n) collect(child, out);
    }

    private JsonNode hostileValue() {
        return switch (rng.nextInt(16)) {
            case 0 -> NODES.numberNode(-1);
            case 1 -> NODES.numberNode(0);
            case 2 -> NODES.numberNode(Integer.MAX_VALUE);
            case 3 -> NODES.numberNode(Long.MAX_VALUE);
            case 4 -> NODES.numberNode(new BigInteger("123456789012345678901234567890"));
            case 5 -> NODES.numberNode(1e308);
            case 6 -> NODES.numberNode(0.5);
            case 7 -> NODES.numberNode(rng.nextInt(-3, 70000));
            case 8 -> NODES.nullNode();
            case 9 -> NODES.booleanNode(rng.nextBoolean());
            case 10 -> NODES.textNode(rng.nextBoolean() ? "../../../etc/passwd" : "/etc/passwd");
            case 11 -> NODES.textNode("x".repeat(rng.nextInt(1, 5000)));
            case 12 -> NODES.textNode("");
            case 13 -> NODES.objectNode();
            case 14 -> {
                ArrayNode a = NODES.arrayNode();
                int n = rng.nextInt(0, 50);
                for (int i = 0; i < n; i++) a.add(rng.nextInt(-2, 100));
                yield a;
            }
            default -> NODES.textNode(String.valueOf(rng.nextInt()));
        };
    }
}
