package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.tensor.Tensor;

/** The shallow DiT's text input: nn.Sequential(GemmaRMSNorm(T), Linear(T, H)), keys "0" and "1". */
public final class ContextEmbedder extends Module {
    public final RmsNorm norm;
    public final Linear linear;

    public ContextEmbedder(int textHidden, int hidden, double eps) {
        norm = child("0", RmsNorm.gemma(textHidden, eps));
        linear = child("1", new Linear(textHidden, hidden, true));
    }

    /** [B, L, T] → [B, L, hidden]. */
    public Tensor forward(Tensor textHiddenStates) {
        return linear.forward(norm.forward(textHiddenStates));
    }
}
