package dev.fusedit.model.fusedit;

import dev.fusedit.tensor.Tensor;

import java.util.List;

/**
 * What the DiT stream needs from the frozen text stream, computed once per prompt batch by
 * {@link FuseDiT#encodeText}: for each shared layer the text keys [B, L, kvHeads, D] (after RoPE
 * for self attention; before RoPE for cross attention, which attends to them unrotated) and
 * values, the 1/0 attention mask, the number of real tokens per sample (the image position
 * offset), and the optional pooled text-modulation embedding [B, E]. Text never attends to image
 * tokens, so these are exact for every denoising step.
 */
public record TextContext(int[][] attentionMask, int[] realTokens, List<Tensor> keys, List<Tensor> values, Tensor modulationEmbeds) {

    public TextContext {
        keys = List.copyOf(keys);
        values = List.copyOf(values);
        if (keys.size() != values.size()) throw new IllegalArgumentException("one key and one value tensor per layer expected");
    }

    public int batch() {
        return attentionMask.length;
    }

    public int length() {
        return attentionMask[0].length;
    }

    /** The same context with a text-modulation embedding [B, E] (pooled CLIP for the clip-mod variant). */
    public TextContext withModulationEmbeds(Tensor embeds) {
        return new TextContext(attentionMask, realTokens, keys, values, embeds);
    }
}
