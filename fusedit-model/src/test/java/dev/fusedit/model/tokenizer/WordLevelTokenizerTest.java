package dev.fusedit.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WordLevelTokenizerTest {
    private static final List<String> WORDS = List.of("a", "red", "circle", "left", "of");

    @Test
    void createdTokenizerHasTheSpecialIdsAndPrependsBos() {
        WordLevelTokenizer t = WordLevelTokenizer.create(WORDS);
        assertThat(t.padId()).isZero();
        assertThat(t.eosId()).isEqualTo(1);
        assertThat(t.bosId()).isEqualTo(2);
        assertThat(t.vocabSize()).isEqualTo(4 + WORDS.size());
        for (int i = 0; i < WORDS.size(); i++) assertThat(t.piece(4 + i)).isEqualTo(WORDS.get(i));
        assertThat(t.encode("a red circle")).containsExactly(2, 4, 5, 6);
        assertThat(t.encode("  a\tred\n circle ")).containsExactly(2, 4, 5, 6);
        assertThat(t.encode("a blue circle")).as("unknown word").containsExactly(2, 4, 3, 6);
        assertThat(t.encode("a<eos>")).as("added tokens are matched in the raw text first").containsExactly(2, 4, 1);
        assertThat(t.decode(new int[]{2, 4, 5, 6, 1, 0}, true)).isEqualTo("a red circle");
        assertThat(t.decode(new int[]{2, 4, 3}, false)).isEqualTo("<bos> a <unk>");
        assertThatThrownBy(() -> t.decode(new int[]{99}, true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99");
    }

    @Test
    void batchesArePaddedWithPadAndMasked() {
        Tokenizer.Batch b = WordLevelTokenizer.create(WORDS).encodeBatch(List.of("a red circle", ""), 5);
        assertThat(b.ids()[0]).containsExactly(2, 4, 5, 6, 0);
        assertThat(b.mask()[0]).containsExactly(1, 1, 1, 1, 0);
        assertThat(b.ids()[1]).containsExactly(2, 0, 0, 0, 0);
        assertThat(b.realTokens(1)).isEqualTo(1);
    }

    @Test
    void savedFileIsAnHfWordLevelTokenizerThatLoadsBackIdentically(@TempDir Path dir) throws IOException {
        WordLevelTokenizer t = WordLevelTokenizer.create(WORDS);
        Path file = dir.resolve("tokenizer.json");
        t.save(file);
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertThat(root.path("model").path("type").asText()).isEqualTo("WordLevel");
        assertThat(root.path("model").path("unk_token").asText()).isEqualTo("<unk>");
        assertThat(root.path("model").path("vocab").get("<bos>").asInt()).isEqualTo(2);
        assertThat(root.path("pre_tokenizer").path("type").asText()).isEqualTo("WhitespaceSplit");
        assertThat(root.path("post_processor").path("type").asText()).isEqualTo("TemplateProcessing");
        assertThat(root.path("added_tokens")).hasSize(4);
        Tokenizer back = Tokenizers.load(dir);
        for (String s : List.of("a red circle left of a circle", "", "of of of", "a green square"))
            assertThat(back.encode(s)).isEqualTo(t.encode(s));
        assertThat(((WordLevelTokenizer) back).toJson()).isEqualTo(t.toJson());
    }

    @Test
    void whitespacePreTokenizerSplitsPunctuationFromWords(@TempDir Path dir) throws IOException {
        String json = WordLevelTokenizer.create(List.of("a", "circle", ".", "!?")).toJson().replace("\"WhitespaceSplit\"", "\"Whitespace\"");
        Path file = dir.resolve("t.json");
        Files.writeString(file, json);
        WordLevelTokenizer t = WordLevelTokenizer.load(file);
        assertThat(t.encode("a circle.")).containsExactly(2, 4, 5, 6);
        assertThat(t.encode("circle!?")).containsExactly(2, 5, 7);
    }

    @Test
    void tokenizersDispatchesOnModelTypeAndRejectsOthers(@TempDir Path dir) throws IOException {
        assertThat(Tokenizers.load(Path.of("..", "fixtures", "tokenizer", "gemma-256k"))).isInstanceOf(BpeTokenizer.class);
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"Unigram\"}}");
        assertThatThrownBy(() -> Tokenizers.load(file)).isInstanceOf(IOException.class).hasMessageContaining("Unigram");
        Files.writeString(file, WordLevelTokenizer.create(WORDS).toJson().replace("\"<unk>\" : 3", "\"<unk>\" : 4"));
        assertThatThrownBy(() -> Tokenizers.load(file)).isInstanceOf(IOException.class).hasMessageContaining("id 4");
    }

    @Test
    void createRejectsWordsWithWhitespaceOrSpecialNames() {
        assertThatThrownBy(() -> WordLevelTokenizer.create(List.of("left of"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WordLevelTokenizer.create(List.of("<bos>"))).isInstanceOf(IllegalArgumentException.class);
    }
}
