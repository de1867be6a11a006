package dev.fusedit.model.tokenizer;

import dev.fusedit.tensor.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Regressions of the fuzz campaign (docs/reliability.md): token ids and tokens a tokenizer.json only claims. */
class TokenizerFileChecksTest {
    @TempDir
    Path dir;

    /** A minimal BPE tokenizer.json: four specials, the bytes a..c, one merge, a {@code <bos> $A} template. */
    private static final String BPE = """
            {"added_tokens": [{"id": %s, "content": "<pad>", "special": true}, {"id": 1, "content": "<eos>", "special": true},
                              {"id": 2, "content": "<bos>", "special": true}, {"id": 3, "content": "<unk>", "special": true}],
             "normalizer": null, "pre_tokenizer": null,
             "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<bos>"}}, {"Sequence": {"id": "A"}}],
                                "special_tokens": {"<bos>": {"id": "<bos>", "ids": [%s]}}},
             "decoder": null,
             "model": {"type": "BPE", "unk_token": "<unk>", "vocab": {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "a": 4, "b": %s, "ab": 6},
                       "merges": ["a b"]}}""";

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("tokenizer.json"), json);
    }

    @Test
    void theMinimalBpeFileReads() throws IOException {
        Tokenizer t = Tokenizers.load(write(BPE.formatted(0, 2, 5)));
        assertThat(t.encode("ab")).containsExactly(2, 6);
    }

    @Test
    void aNegativeTokenIdIsRefusedNamingTheField() throws IOException {
        // was an ArrayIndexOutOfBoundsException while filling the id table
        Path f = write(BPE.formatted(-2, 2, 5));
        assertThatThrownBy(() -> Tokenizers.load(f)).isInstanceOf(FormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("added_tokens[].id").hasMessageContaining("got -2");
    }

    @Test
    void anIdBeyondTheEntriesIsRefusedBeforeItSizesTheTable() throws IOException {
        // an id of 2^31-1 sized a table of that many entries (an OutOfMemoryError) before anything checked it
        Path f = write(BPE.formatted(0, 2, Integer.MAX_VALUE));
        assertThatThrownBy(() -> Tokenizers.load(f)).isInstanceOf(FormatException.class)
                .hasMessageContaining("model.vocab['b']").hasMessageContaining("from 0 to 10");
    }

    @Test
    void aTemplateIdOutsideTheVocabularyIsRefusedAtLoadNotAtDecode() throws IOException {
        Path f = write(BPE.formatted(0, 99, 5));
        assertThatThrownBy(() -> Tokenizers.load(f)).isInstanceOf(FormatException.class)
                .hasMessageContaining("post_processor.special_tokens.<bos>.ids");
        Path w = write(WordLevelTokenizer.create(List.of("red", "circle")).toJson().replaceFirst("\"ids\" : \\[ 2 \\]", "\"ids\" : [ -2147483649 ]"));
        assertThat(Files.readString(w)).contains("-2147483649");
        assertThatThrownBy(() -> Tokenizers.load(w)).isInstanceOf(FormatException.class)
                .hasMessageContaining("post_processor.special_tokens.<bos>.ids");
    }

    @Test
    void aWordLevelFileWithoutUnknownTokenIsRefusedAtLoad() throws IOException {
        // it loaded, then failed on the first word outside its vocabulary (mid-run, on a caption)
        Path f = write(WordLevelTokenizer.create(List.of("red", "circle")).toJson().replace("\"unk_token\" : \"<unk>\"", "\"unk_token\" : null"));
        assertThatThrownBy(() -> Tokenizers.load(f)).isInstanceOf(FormatException.class).hasMessageContaining("model.unk_token: required");
    }
}
