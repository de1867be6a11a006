package dev.fusedit.model.fusedit;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;

/**
 * The six per-sample [B, H] modulation vectors of one DiT layer. A null field is the identity
 * (shift 0, scale 0, gate 1), which the variants without adaLN use; skipping the arithmetic
 * then is exact.
 */
public record Modulation(Tensor shiftMsa, Tensor scaleMsa, Tensor gateMsa, Tensor shiftMlp, Tensor scaleMlp, Tensor gateMlp) {

    public static final Modulation IDENTITY = new Modulation(null, null, null, null, null, null);

    /** x·(1 + scale) + shift over tokens: x [B, N, H], scale and shift [B, H] (either may be null). */
    public static Tensor modulate(Tensor x, Tensor shift, Tensor scale) {
        if (scale != null) x = Pointwise.mul(x, Pointwise.add(scale, 1.0).unsqueeze(1));
        if (shift != null) x = Pointwise.add(x, shift.unsqueeze(1));
        return x;
    }

    /** residual + gate·update (gate [B, H] or null for 1). */
    public static Tensor gatedAdd(Tensor residual, Tensor gate, Tensor update) {
        return Pointwise.add(residual, gate == null ? update : Pointwise.mul(gate.unsqueeze(1), update));
    }
}
