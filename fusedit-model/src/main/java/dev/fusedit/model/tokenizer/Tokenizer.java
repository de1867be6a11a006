package dev.fusedit.model.tokenizer;

import java.util.Arrays;
import java.util.List;

/** Text to token ids and back, plus the padded batches the text stream consumes. */
public interface Tokenizer {

    /** Ids of {@code text}, BOS first, no truncation or padding. */
    int[] encode(String text);

    /** The text of {@code ids}; special tokens (pad, bos, eos, ...) dropped when skipSpecial. */
    String decode(int[] ids, boolean skipSpecial);

    int vocabSize();

    int padId();

    int bosId();

    /** The end-of-sequence id, or -1 when the vocabulary has none. */
    int eosId();

    /**
     * Tokenizes every text to exactly {@code maxLength} ids as the reference pipeline does
     * (truncation=True, padding="max_length"): BOS + tokens cut to maxLength, right-padded with
     * the pad id; mask 1 for real tokens, 0 for padding.
     */
    default Batch encodeBatch(List<String> texts, int maxLength) {
        if (maxLength < 1) throw new IllegalArgumentException("maxLength must be at least 1, got " + maxLength);
        int[][] ids = new int[texts.size()][];
        int[][] mask = new int[texts.size()][];
        boolean[] truncated = new boolean[texts.size()];
        for (int i = 0; i < ids.length; i++) {
            int[] full = encode(texts.get(i));
            truncated[i] = full.length > maxLength;
            int n = Math.min(full.length, maxLength);
            ids[i] = Arrays.copyOf(full, maxLength);
            if (padId() != 0) Arrays.fill(ids[i], n, maxLength, padId());
            mask[i] = new int[maxLength];
            Arrays.fill(mask[i], 0, n, 1);
        }
        return new Batch(ids, mask, truncated);
    }

    /** Ids and attention mask, one row per text, and which texts were cut to fit. */
    record Batch(int[][] ids, int[][] mask, boolean[] truncated) {
        /** Real tokens of row i (BOS included). */
        public int realTokens(int i) {
            int n = 0;
            for (int m : mask[i]) n += m;
            return n;
        }
    }
}
