package dev.fusedit.layers;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.TransformerOps;

/** A lookup table [vocab, dim]: ids of any shape to vectors. */
public final class Embedding extends Module {
    public final Parameter weight;

    public Embedding(int vocab, int dim) {
        weight = parameter("weight", vocab, dim);
    }

    public Tensor forward(Tensor ids) {
        return TransformerOps.embedding(ids, weight.get());
    }
}
