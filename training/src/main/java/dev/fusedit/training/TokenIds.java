package dev.fusedit.training;

import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;

import java.util.List;

/** Captions as the model reads them: the tokenizer's batch (BOS first, right-padded to L) and its ids as a tensor [B, L]. */
record TokenIds(Tokenizer.Batch batch, Tensor ids) {

    static TokenIds encode(Tokenizer tokenizer, List<String> captions, int maxLength) {
        Tokenizer.Batch tok = tokenizer.encodeBatch(captions, maxLength);
        Tensor ids = Tensor.zeros(DType.I64, captions.size(), maxLength);
        for (int i = 0; i < captions.size(); i++)
            for (int j = 0; j < tok.ids()[i].length; j++) ids.set(tok.ids()[i][j], i, j);
        return new TokenIds(tok, ids);
    }

    /** The attention mask [B][L]: 1 for real tokens, 0 for padding. */
    int[][] mask() {
        return batch.mask();
    }
}
