package dev.fusedit.training;

import dev.fusedit.training.config.TrainConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tokenizer.json that turns real captions into ids: data.tokenizer when it names a file or a
 * folder holding one, else the one beside the text-stream weights (trainer.text_model), else the
 * one beside the base LLM's config (model.base as a local folder or config.json). The reference
 * names a hub model in data.tokenizer ("google/gemma-2-2b"); nothing is downloaded here, so such
 * a name only counts when a local copy is found by the other two routes.
 */
final class TokenizerLocator {
    private TokenizerLocator() {}

    static Path find(TrainConfig config) throws IOException {
        List<Path> tried = new ArrayList<>();
        String named = config.data().tokenizer();
        if (named != null) {
            Path p = Path.of(named);
            Path file = Files.isDirectory(p) ? p.resolve("tokenizer.json") : p;
            if (Files.isRegularFile(file)) return file;
            tried.add(file);
        }
        String textModel = config.trainer().textModel();
        if (textModel != null) {
            Path found = besideModel(Path.of(textModel), tried);
            if (found != null) return found;
        }
        String base = config.model().path("base").asText("");
        if (!base.isEmpty() && Files.exists(Path.of(base))) {
            Path found = besideModel(Path.of(base), tried);
            if (found != null) return found;
        }
        throw new IOException(config.file() + ": data.tokenizer: no tokenizer.json for the captions"
                + (tried.isEmpty() ? "" : " (tried " + String.join(", ", tried.stream().map(Path::toString).toList()) + ")")
                + "; set data.tokenizer to a tokenizer.json or a model folder that holds one");
    }

    /** tokenizer.json in a model folder, or beside a model file (config.json, a safetensors file). */
    private static Path besideModel(Path model, List<Path> tried) {
        Path folder = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
        if (folder == null) return null;
        Path file = folder.resolve("tokenizer.json");
        if (Files.isRegularFile(file)) return file;
        tried.add(file);
        return null;
    }
}
