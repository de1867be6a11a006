package dev.fusedit.model.vae;

import dev.fusedit.layers.GroupNorm;
import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.TransformerOps;
import dev.fusedit.tensor.ops.Pointwise;

import java.util.List;

/**
 * The VAE mid-block self-attention (diffusers Attention with AttnProcessor, one head of the full
 * channel width): GroupNorm over the channels, every pixel attends to every pixel with scale
 * 1/√C, the output projection is added back to the input.
 */
final class MidAttention extends Module {
    private final GroupNorm groupNorm;
    private final Linear toQ, toK, toV, toOut;

    MidAttention(int channels, int groups) {
        groupNorm = child("group_norm", new GroupNorm(groups, channels, ResnetBlock2D.EPS));
        toQ = child("to_q", new Linear(channels, channels, true));
        toK = child("to_k", new Linear(channels, channels, true));
        toV = child("to_v", new Linear(channels, channels, true));
        // to_out is a ModuleList (Linear, Dropout); only the Linear has weights
        toOut = childList("to_out", List.of(new Linear(channels, channels, true))).get(0);
    }

    Tensor forward(Tensor x) {
        return ScopedTemporaries.run(() -> attend(x));
    }

    private Tensor attend(Tensor x) {
        int b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        // [B, C, H, W] -> [B, HW, C]: one sequence of HW tokens per image
        Tensor tokens = groupNorm.forward(x).reshape(b, c, h * w).transpose(1, 2);
        Tensor q = toQ.forward(tokens).reshape(b, h * w, 1, c);
        Tensor k = toK.forward(tokens).reshape(b, h * w, 1, c);
        Tensor v = toV.forward(tokens).reshape(b, h * w, 1, c);
        Tensor a = TransformerOps.scaledDotProductAttention(q, k, v, null, 1 / Math.sqrt(c), 0).reshape(b, h * w, c);
        Tensor out = toOut.forward(a).transpose(1, 2).reshape(b, c, h, w);
        return Pointwise.add(out, x);
    }
}
