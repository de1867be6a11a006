package dev.fusedit.model.vae;

import dev.fusedit.layers.Conv2d;
import dev.fusedit.layers.GroupNorm;
import dev.fusedit.layers.Module;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;

/**
 * diffusers ResnetBlock2D without time embedding: norm1 → SiLU → conv1 → norm2 → SiLU → conv2,
 * added to the input (through a 1×1 conv_shortcut when the channel count changes). Dropout is 0
 * and the output scale factor 1 in every VAE, so neither appears.
 */
final class ResnetBlock2D extends Module {
    static final double EPS = 1e-6;

    private final GroupNorm norm1, norm2;
    private final Conv2d conv1, conv2, convShortcut;

    ResnetBlock2D(int in, int out, int groups) {
        norm1 = child("norm1", new GroupNorm(groups, in, EPS));
        conv1 = child("conv1", new Conv2d(in, out, 3, 1, 1, true));
        norm2 = child("norm2", new GroupNorm(groups, out, EPS));
        conv2 = child("conv2", new Conv2d(out, out, 3, 1, 1, true));
        convShortcut = in != out ? child("conv_shortcut", new Conv2d(in, out, 1, 1, 0, true)) : null;
    }

    Tensor forward(Tensor x) {
        Tensor h1 = ScopedTemporaries.run(() -> conv1.forward(Pointwise.silu(norm1.forward(x))));
        return ScopedTemporaries.run(() -> {
            Tensor h2 = conv2.forward(Pointwise.silu(norm2.forward(h1)));
            return Pointwise.add(convShortcut == null ? x : convShortcut.forward(x), h2);
        });
    }
}
