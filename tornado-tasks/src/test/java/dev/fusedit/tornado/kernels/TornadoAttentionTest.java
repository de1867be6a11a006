package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.AttentionCheck.MaskKind;
import dev.fusedit.tornado.DeviceUnderTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.fusedit.tensor.kernels.AttentionCheck.compare;

/**
 * Device attention ({@link AttentionKernel}) against the scalar oracle, forward and backward, with
 * the tensor module's attention comparison (random inputs, masks of every kind, GQA, soft-cap):
 * edge cases first, then random shapes.
 */
class TornadoAttentionTest extends DeviceUnderTest {

    /** One comparison: the shape, scale, soft-cap, mask and seed of {@code AttentionCheck.compare}. */
    record Case(String name, int batch, int heads, int kvHeads, int qLen, int kvLen, int headDim, float scale, float softCap,
                MaskKind mask, long seed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        Stream<Case> edges = Stream.of(
                new Case("head dim 1, a single query and key", 1, 1, 1, 1, 1, 1, 1.0f, 0, MaskKind.NONE, 1),
                new Case("grouped query heads, shared random mask", 2, 4, 2, 37, 70, 3, 0.7f, 0, MaskKind.SHARED_RANDOM, 2),
                // qLen > kvLen under a bottom-right-aligned causal mask: the first rows see no key at all
                // (TornadoVM's default -cl-fast-relaxed-math got these rows wrong, see DevicePlan).
                new Case("fully masked rows, soft-cap, per-batch causal mask", 2, 3, 1, 21, 13, 17, 1.3f, 5.0f, MaskKind.PER_BATCH_CAUSAL, 3));
        SplittableRandom rnd = new SplittableRandom(7);
        int[] dims = {1, 3, 17, 64};
        Stream<Case> random = Stream.iterate(0, trial -> trial + 1).limit(3).map(trial -> {
            int kvHeads = 1 + rnd.nextInt(2), heads = kvHeads * (1 + rnd.nextInt(2));
            MaskKind mask = MaskKind.values()[rnd.nextInt(MaskKind.values().length)];
            return new Case("random shape " + trial, 1 + rnd.nextInt(2), heads, kvHeads, 1 + rnd.nextInt(40), 1 + rnd.nextInt(40),
                    dims[rnd.nextInt(dims.length)], (float) rnd.nextDouble(0.1, 1.5), rnd.nextBoolean() ? 0 : 5.0f, mask, 100 + trial);
        });
        return Stream.concat(edges, random);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheOracle(Case c) {
        compare(device, c.batch(), c.heads(), c.kvHeads(), c.qLen(), c.kvLen(), c.headDim(), c.scale(), c.softCap(), c.mask(), c.seed());
    }
}
