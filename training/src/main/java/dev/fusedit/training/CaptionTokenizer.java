package dev.fusedit.training;

import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.model.tokenizer.Tokenizers;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.shapes.ShapesVocabulary;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The tokenizer a run reads captions with and the file it came from (null for the built-in one):
 * for the shapes world data.tokenizer or its own word list; for real data what
 * {@link TokenizerLocator} finds.
 */
record CaptionTokenizer(Tokenizer tokenizer, Path file) {

    static CaptionTokenizer of(TrainConfig config) throws IOException {
        if (!config.data().source().equals("shapes")) {
            Path file = TokenizerLocator.find(config);
            return new CaptionTokenizer(Tokenizers.load(file), file);
        }
        Path file = config.data().tokenizer() != null ? Path.of(config.data().tokenizer()) : null;
        return new CaptionTokenizer(file != null ? Tokenizers.load(file) : ShapesVocabulary.tokenizer(), file);
    }
}
