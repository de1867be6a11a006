package dev.fusedit.model.vae;

import dev.fusedit.layers.Conv2d;
import dev.fusedit.layers.Module;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.JoinSplit;

/**
 * diffusers Downsample2D with padding 0: the input gets one zero row at the bottom and one zero
 * column at the right (F.pad(x, (0, 1, 0, 1))), then a 3×3 conv with stride 2 and no padding.
 */
final class Downsample2D extends Module {
    private final Conv2d conv;

    Downsample2D(int channels) {
        conv = child("conv", new Conv2d(channels, channels, 3, 2, 0, true));
    }

    Tensor forward(Tensor x) {
        return ScopedTemporaries.run(() -> conv.forward(padRightBottom(x)));
    }

    /** x [B, C, H, W] → [B, C, H+1, W+1] with zeros in the new last row and column; cat carries the gradient. */
    static Tensor padRightBottom(Tensor x) {
        int b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        DType type = x.dtype();
        Tensor wider = JoinSplit.cat(3, x, Tensor.zeros(type, b, c, h, 1));
        return JoinSplit.cat(2, wider, Tensor.zeros(type, b, c, 1, w + 1));
    }
}
