package dev.fusedit.model.tokenizer;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The tokenizer's added tokens (control tokens, "\n" runs, HTML tags, ...), matched in the raw
 * text before normalization, leftmost first and longest at a position, as HF tokenizers does.
 */
final class AddedTokens {
    private final Map<String, Integer> ids = new HashMap<>();
    private final Set<Integer> special = new HashSet<>();
    private final Set<Character> firstChars = new HashSet<>();
    private int longest;

    void add(String content, int id, boolean isSpecial) {
        if (content.isEmpty()) return;
        ids.put(content, id);
        if (isSpecial) special.add(id);
        firstChars.add(content.charAt(0));
        longest = Math.max(longest, content.length());
    }

    boolean isSpecial(int id) {
        return special.contains(id);
    }

    interface Piece {
        /** addedId >= 0 for an added token, -1 for ordinary text to normalize and merge. */
        void accept(String text, int addedId);
    }

    /** Cuts text into ordinary pieces and added tokens, in order. */
    void split(String text, Piece sink) {
        int start = 0;
        for (int i = 0; i < text.length(); ) {
            int matched = firstChars.contains(text.charAt(i)) ? longestMatch(text, i) : 0;
            if (matched == 0) {
                i++;
                continue;
            }
            if (i > start) sink.accept(text.substring(start, i), -1);
            String token = text.substring(i, i + matched);
            sink.accept(token, ids.get(token));
            i += matched;
            start = i;
        }
        if (start < text.length()) sink.accept(text.substring(start), -1);
    }

    private int longestMatch(String text, int at) {
        for (int len = Math.min(longest, text.length() - at); len > 0; len--)
            if (ids.containsKey(text.substring(at, at + len))) return len;
        return 0;
    }
}
