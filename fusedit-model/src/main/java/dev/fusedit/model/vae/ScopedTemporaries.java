package dev.fusedit.model.vae;

import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;

import java.util.function.Supplier;

/**
 * Runs one piece of the VAE (a norm → SiLU → conv chain, an attention) with its temporaries in a
 * scope of their own that is freed as soon as the piece is done; only the result is copied out into
 * the caller's scope. A 3×3 conv at 512×512 with 256 input channels unfolds 2.4 GB (im2col), so
 * letting every temporary of a whole decode live until the caller's scope closes would need tens
 * of GB. With gradients recorded the backward pass needs the temporaries, so then nothing is freed.
 */
final class ScopedTemporaries {
    private ScopedTemporaries() {}

    static Tensor run(Supplier<Tensor> piece) {
        if (GradMode.isEnabled()) return piece.get();
        try (MemoryScope work = MemoryScope.openDetached()) {
            Tensor result = work.within(piece);
            // within() has restored the caller's scope: the copy is allocated there
            return result.contiguous().copy();
        }
    }
}
