package dev.fusedit.model.gemma;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Additive attention masks: 0 where a query may look, float32's lowest value where it may not (not -inf, as the reference). */
public final class Masks {
    private Masks() {}

    public static final float BLOCKED = -Float.MAX_VALUE;

    /**
     * Causal mask [B, L, L] for a text stream: query i sees key j when j ≤ i, key j is a real token
     * (padding[b][j] = 1; null means all real) and, with a sliding window w > 0, i − j < w.
     */
    public static Tensor causal(int[][] padding, int batch, int len, int window) {
        Tensor mask = Tensor.zeros(DType.F32, batch, len, len);
        MemorySegment m = mask.data();
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < len; i++)
                for (int j = 0; j < len; j++) {
                    boolean ok = j <= i && (padding == null || padding[b][j] != 0) && (window <= 0 || i - j < window);
                    if (!ok) m.setAtIndex(ValueLayout.JAVA_FLOAT, ((long) b * len + i) * len + j, BLOCKED);
                }
        return mask;
    }
}
