package dev.fusedit.layers;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.TransformerOps;

/** Gemma's MLP: down(gelu_tanh(gate(x)) · up(x)), no biases. */
public final class GegluMlp extends Module {
    public final Linear gateProj, upProj, downProj;

    public GegluMlp(int hidden, int intermediate) {
        gateProj = child("gate_proj", new Linear(hidden, intermediate, false));
        upProj = child("up_proj", new Linear(hidden, intermediate, false));
        downProj = child("down_proj", new Linear(intermediate, hidden, false));
    }

    public Tensor forward(Tensor x) {
        return downProj.forward(TransformerOps.geglu(gateProj.forward(x), upProj.forward(x)));
    }
}
