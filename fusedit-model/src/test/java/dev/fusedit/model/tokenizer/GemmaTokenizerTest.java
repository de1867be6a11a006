package dev.fusedit.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real Gemma 256k tokenizer against ids computed by the HF/JS reference tokenizers. */
class GemmaTokenizerTest {
    static final Path DIR = Path.of("..", "fixtures", "tokenizer", "gemma-256k");
    static BpeTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = BpeTokenizer.load(DIR.resolve("tokenizer.json"));
    }

    static List<JsonNode> cases() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve("cases.jsonl"))) if (!line.isBlank()) out.add(json.readTree(line));
        return out;
    }

    @Test
    void encodesEveryFixtureLineExactly() throws IOException {
        List<JsonNode> cases = cases();
        assertThat(cases).hasSize(61);
        for (JsonNode c : cases) {
            int[] want = new int[c.get("ids").size()];
            for (int i = 0; i < want.length; i++) want[i] = c.get("ids").get(i).asInt();
            assertThat(tokenizer.encode(c.get("text").asText())).as(c.get("text").asText()).containsExactly(want);
        }
    }

    @Test
    void decodesBackToTheTextAsTheReferenceDoes() throws IOException {
        for (JsonNode c : cases()) {
            int[] ids = new int[c.get("ids").size() - 1];
            for (int i = 0; i < ids.length; i++) ids[i] = c.get("ids").get(i + 1).asInt();
            String want = c.get("roundtrip").asBoolean() ? c.get("text").asText() : c.get("decoded").asText();
            assertThat(tokenizer.decode(ids, false)).as(c.get("text").asText()).isEqualTo(want);
        }
    }

    @Test
    void batchesTruncateToMaxLengthAndPadRightWithZero() {
        var batch = tokenizer.encodeBatch(List.of("", "a red circle above a blue square", "word ".repeat(400)), 256);
        assertThat(batch.ids()[0][0]).isEqualTo(2);
        assertThat(batch.realTokens(0)).isEqualTo(1);
        assertThat(batch.ids()[0][1]).isEqualTo(0);
        assertThat(batch.realTokens(1)).isEqualTo(tokenizer.encode("a red circle above a blue square").length);
        assertThat(batch.ids()[2]).hasSize(256);
        assertThat(batch.realTokens(2)).isEqualTo(256);
        assertThat(batch.truncated()).containsExactly(false, false, true);
    }

    @Test
    void specialTokensAreDroppedOnRequestAndBadIdsAreNamed() {
        int[] ids = tokenizer.encode("a cat");
        assertThat(tokenizer.decode(ids, true)).isEqualTo("a cat");
        assertThat(tokenizer.decode(ids, false)).isEqualTo("<bos>a cat");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {256000}, false)).hasMessageContaining("256000");
    }

    @Test
    void unsupportedConfigurationsFailWithTheFieldName() throws IOException {
        Path f = Files.createTempFile("tok", ".json");
        Files.writeString(f, "{\"model\":{\"type\":\"WordPiece\",\"vocab\":{}}}");
        assertThatThrownBy(() -> BpeTokenizer.load(f)).hasMessageContaining("model.type");
        Files.writeString(f, "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]},\"pre_tokenizer\":{\"type\":\"Metaspace\"}}");
        assertThatThrownBy(() -> BpeTokenizer.load(f)).hasMessageContaining("pre_tokenizer Metaspace");
        Files.writeString(f, "{\"model\": [");
        assertThatThrownBy(() -> BpeTokenizer.load(f)).hasMessageContaining("not valid JSON");
        Files.delete(f);
    }
}
