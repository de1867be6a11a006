package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;

/** adaLN-single's t_block = nn.Sequential(SiLU, Linear(H, 6H)): key "1" is the Linear. */
public final class TimestepBlock extends Module {
    public final Linear linear;

    public TimestepBlock(int hidden) {
        linear = child("1", new Linear(hidden, 6 * hidden, true));
    }

    public Tensor forward(Tensor embedding) {
        return linear.forward(Pointwise.silu(embedding));
    }
}
