package dev.fusedit.shapes;

import dev.fusedit.model.tokenizer.WordLevelTokenizer;

import java.util.ArrayList;
import java.util.List;

/** Every word a shapes-world caption can use, and the word-level tokenizer over them. */
public final class ShapesVocabulary {
    /** BOS plus the longest caption, "a {color} {shape} left of a {color} {shape}" (8 words). */
    public static final int MAX_CAPTION_TOKENS = 9;

    private ShapesVocabulary() {}

    /** The words in a fixed order (their ids are 4.. in the tokenizer, after the four special tokens). */
    public static List<String> words() {
        List<String> words = new ArrayList<>(List.of("a", "and", "two", "three", "four", "left", "right", "of", "above", "below"));
        for (ShapeKind k : ShapeKind.values()) words.add(k.word());
        for (ShapeKind k : ShapeKind.values()) words.add(k.plural());
        for (ShapeColor c : ShapeColor.values()) words.add(c.word());
        return List.copyOf(words);
    }

    /** The tokenizer of the caption vocabulary: {@code <pad>=0, <eos>=1, <bos>=2, <unk>=3}, words from 4, BOS prepended. */
    public static WordLevelTokenizer tokenizer() {
        return WordLevelTokenizer.create(words());
    }
}
