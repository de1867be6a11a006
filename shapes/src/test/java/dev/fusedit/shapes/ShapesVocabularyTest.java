package dev.fusedit.shapes;

import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.model.tokenizer.Tokenizers;
import dev.fusedit.model.tokenizer.WordLevelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ShapesVocabularyTest {

    @Test
    void everyCaptionEncodesWithoutUnknownWordsAndDecodesBack(@TempDir Path dir) throws IOException {
        WordLevelTokenizer built = ShapesVocabulary.tokenizer();
        built.save(dir);
        Tokenizer tok = Tokenizers.load(dir.resolve("tokenizer.json"));
        assertThat(tok).isInstanceOf(WordLevelTokenizer.class);
        assertThat(tok.vocabSize()).isEqualTo(4 + ShapesVocabulary.words().size());
        Set<String> used = new HashSet<>();
        ShapesStream stream = new ShapesStream(3, 0);
        int longest = 0;
        for (int i = 0; i < 3000; i++) {
            String caption = stream.sample(i).caption();
            int[] ids = tok.encode(caption);
            assertThat(ids[0]).isEqualTo(2);
            assertThat(Arrays.stream(ids).skip(1)).as(caption).allMatch(id -> id >= 4);
            assertThat(tok.decode(ids, true)).isEqualTo(caption);
            used.addAll(Arrays.asList(caption.split(" ")));
            longest = Math.max(longest, ids.length);
        }
        assertThat(longest).isEqualTo(ShapesVocabulary.MAX_CAPTION_TOKENS);
        assertThat(used).as("no unused vocabulary words").containsExactlyInAnyOrderElementsOf(ShapesVocabulary.words());
        assertThat(tok.encode("")).containsExactly(2);
    }
}
