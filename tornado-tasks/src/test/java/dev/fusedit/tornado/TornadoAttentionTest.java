package dev.fusedit.tornado;

import dev.fusedit.tensor.kernels.AttentionCheck.MaskKind;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.fusedit.tensor.kernels.AttentionCheck.compare;

/**
 * Device attention ({@link AttentionKernel}) against the scalar oracle, forward and backward, with
 * the tensor module's attention comparison (random inputs, masks of every kind, GQA, soft-cap).
 */
class TornadoAttentionTest extends DeviceUnderTest {

    @Test
    void headDimOneSingleQueryAndKey() {
        compare(device, 1, 1, 1, 1, 1, 1, 1.0f, 0, MaskKind.NONE, 1);
    }

    @Test
    void groupedQueryHeadsWithSharedRandomMask() {
        compare(device, 2, 4, 2, 37, 70, 3, 0.7f, 0, MaskKind.SHARED_RANDOM, 2);
    }

    @Test
    void fullyMaskedRowsSoftCapAndPerBatchCausalMask() {
        // qLen > kvLen under a bottom-right-aligned causal mask: the first rows see no key at all
        // (TornadoVM's default -cl-fast-relaxed-math got these rows wrong, see DevicePlan).
        compare(device, 2, 3, 1, 21, 13, 17, 1.3f, 5.0f, MaskKind.PER_BATCH_CAUSAL, 3);
    }

    @Test
    void randomShapes() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[] dims = {1, 3, 17, 64};
        for (int trial = 0; trial < 3; trial++) {
            int kvHeads = 1 + rnd.nextInt(2), heads = kvHeads * (1 + rnd.nextInt(2));
            MaskKind mask = MaskKind.values()[rnd.nextInt(MaskKind.values().length)];
            compare(device, 1 + rnd.nextInt(2), heads, kvHeads, 1 + rnd.nextInt(40), 1 + rnd.nextInt(40), dims[rnd.nextInt(dims.length)],
                    (float) rnd.nextDouble(0.1, 1.5), rnd.nextBoolean() ? 0 : 5.0f, mask, 100 + trial);
        }
    }
}
