package dev.fusedit.training;

import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.model.tokenizer.Tokenizers;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.shapes.ShapesVocabulary;

import java.io.IOException;
import java.nio.file.Path;

/** The tokenizer a run reads captions with (data.tokenizer, else the shapes world's word list) and the file it came from, if any. */
record CaptionTokenizer(Tokenizer tokenizer, Path file) {

    static CaptionTokenizer of(TrainConfig config) throws IOException {
        Path file = config.data().tokenizer() != null ? Path.of(config.data().tokenizer()) : null;
        return new CaptionTokenizer(file != null ? Tokenizers.load(file) : ShapesVocabulary.tokenizer(), file);
    }
}
