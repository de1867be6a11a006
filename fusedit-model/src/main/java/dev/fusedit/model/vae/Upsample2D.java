package dev.fusedit.model.vae;

import dev.fusedit.layers.Conv2d;
import dev.fusedit.layers.Module;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Conv;

/** diffusers Upsample2D with a conv: nearest-neighbour ×2, then a 3×3 conv with padding 1. */
final class Upsample2D extends Module {
    private final Conv2d conv;

    Upsample2D(int channels) {
        conv = child("conv", new Conv2d(channels, channels, 3, 1, 1, true));
    }

    Tensor forward(Tensor x) {
        return ScopedTemporaries.run(() -> conv.forward(Conv.upsampleNearest(x, 2)));
    }
}
