package dev.fusedit.training;

import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;

import java.util.List;

/** Captions as the model reads them: ids [B, L] (BOS first, right-padded to L) and the attention mask [B][L]. */
record TokenIds(Tensor ids, int[][] mask) {

    static TokenIds encode(Tokenizer tokenizer, List<String> captions, int maxLength) {
        Tokenizer.Batch tok = tokenizer.encodeBatch(captions, maxLength);
        Tensor ids = Tensor.zeros(DType.I64, captions.size(), maxLength);
        for (int i = 0; i < captions.size(); i++)
            for (int j = 0; j < tok.ids()[i].length; j++) ids.set(tok.ids()[i][j], i, j);
        return new TokenIds(ids, tok.mask());
    }
}
