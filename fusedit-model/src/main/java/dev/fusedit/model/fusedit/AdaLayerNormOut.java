package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.JoinSplit;

import java.util.List;

/** The adaLN-Zero head norm: Linear(SiLU(temb)) split as (scale, shift), in that order (unlike the layers). */
public final class AdaLayerNormOut extends Module {
    public final Linear linear;
    public final RmsNorm norm;

    public AdaLayerNormOut(int hidden, double eps) {
        linear = child("linear", new Linear(hidden, 2 * hidden, true));
        norm = child("norm", RmsNorm.gemma(hidden, eps));
    }

    /** x [B, N, H], temb [B, H]. */
    public Tensor forward(Tensor x, Tensor temb) {
        List<Tensor> c = JoinSplit.chunk(linear.forward(Pointwise.silu(temb)), 2, 1);
        return Modulation.modulate(norm.forward(x), c.get(1), c.get(0));
    }
}
