package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.JoinSplit;

import java.util.List;

/**
 * adaLN-Zero of a DiT layer (the layer's input_layernorm): Linear(SiLU(temb)) → six [B, H]
 * chunks in the order shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp.
 */
public final class AdaLayerNormZero extends Module {
    public final Linear linear;
    public final RmsNorm norm;

    public AdaLayerNormZero(int hidden, double eps) {
        linear = child("linear", new Linear(hidden, 6 * hidden, true));
        norm = child("norm", RmsNorm.gemma(hidden, eps));
    }

    public Modulation modulation(Tensor temb) {
        List<Tensor> c = JoinSplit.chunk(linear.forward(Pointwise.silu(temb)), 6, 1);
        return new Modulation(c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5));
    }
}
