package dev.fusedit.model.parity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.tensor.io.FormatException;
import dev.fusedit.tensor.io.SafeTensorsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * One parity case folder as fixtures/README.md describes it: meta.json (kind, tolerance), the
 * model folder, inputs.safetensors and expected.safetensors.
 */
public final class ParityCase {
    private final Path dir;
    private final JsonNode meta;

    private ParityCase(Path dir, JsonNode meta) {
        this.dir = dir;
        this.meta = meta;
    }

    public static ParityCase open(Path dir) throws IOException {
        Path metaFile = dir.resolve("meta.json");
        if (!Files.isRegularFile(metaFile)) throw new IOException(dir + ": not a parity case folder (no meta.json)");
        JsonNode meta = ConfigFiles.readJson(metaFile);
        if (!meta.path("kind").isTextual()) throw new FormatException(metaFile, "kind: required string is missing");
        for (String f : new String[] {"inputs.safetensors", "expected.safetensors"})
            if (!Files.isRegularFile(dir.resolve(f))) throw new IOException(dir + ": missing " + f);
        return new ParityCase(dir, meta);
    }

    public Path dir() { return dir; }
    public JsonNode meta() { return meta; }
    public String kind() { return meta.path("kind").asText(); }
    public String name() { return dir.getFileName().toString(); }

    public SafeTensorsFile inputs() throws IOException {
        return SafeTensorsFile.open(dir.resolve("inputs.safetensors"));
    }

    public SafeTensorsFile expected() throws IOException {
        return SafeTensorsFile.open(dir.resolve("expected.safetensors"));
    }

    /** Names of the tensors the case wants computed. */
    public Set<String> expectedNames() throws IOException {
        try (SafeTensorsFile e = expected()) {
            return new java.util.LinkedHashSet<>(e.names());
        }
    }

    /** The limit for one tensor: a relative tolerance (max|got−want|/max|want|) or an absolute one. */
    public Tolerance tolerance(String tensor) throws IOException {
        if (meta.has("tolerance")) return new Tolerance(meta.get("tolerance").asDouble(), true, 0);
        JsonNode t = meta.path("tolerances").path(tensor);
        if (t.has("max_abs")) return new Tolerance(t.get("max_abs").asDouble(), false, t.path("max_fraction_differing").asDouble(0));
        throw new FormatException(dir.resolve("meta.json"), "no tolerance for tensor '" + tensor + "' (expected tolerance or tolerances." + tensor + ".max_abs)");
    }

    /**
     * How close a tensor must be. relative: max|got−want| / max|want| ≤ limit. Otherwise max|got−want| ≤
     * limit; when {@code fractionAllowed} > 0 also at most that fraction of the values may differ at all
     * (uint8 images: ±1 on at most 1% of the pixels).
     */
    public record Tolerance(double limit, boolean relative, double fractionAllowed) {}
}
