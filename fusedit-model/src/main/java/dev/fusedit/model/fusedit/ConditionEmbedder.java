package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;

/**
 * Text modulation (pooled text embedding added to the timestep embedding):
 * nn.Sequential(GemmaRMSNorm(E), Linear(E, H), SiLU, Linear(H, H)), keys "0", "1", "3".
 */
public final class ConditionEmbedder extends Module {
    public final RmsNorm norm;
    public final Linear linear1, linear2;

    public ConditionEmbedder(int embedsDim, int hidden, double eps) {
        norm = child("0", RmsNorm.gemma(embedsDim, eps));
        linear1 = child("1", new Linear(embedsDim, hidden, true));
        linear2 = child("3", new Linear(hidden, hidden, true));
    }

    /** [B, E] → [B, hidden]. */
    public Tensor forward(Tensor embeds) {
        return linear2.forward(Pointwise.silu(linear1.forward(norm.forward(embeds))));
    }
}
