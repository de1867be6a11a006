package dev.fusedit.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens any supported HF tokenizer.json by its model.type: BPE or WordLevel. */
public final class Tokenizers {
    private Tokenizers() {}

    /** Reads a tokenizer.json (or the tokenizer.json inside a folder). */
    public static Tokenizer load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.exists(file)) throw new FormatException(file, "no such tokenizer file");
        JsonNode root = ConfigFiles.readJson(file);
        String type = root.path("model").path("type").asText();
        return switch (type) {
            case "BPE" -> BpeTokenizer.fromJson(file, root);
            case "WordLevel" -> WordLevelTokenizer.fromJson(file, root);
            default -> throw new FormatException(file, "model.type '" + type + "' is not supported (BPE, WordLevel are)");
        };
    }
}
