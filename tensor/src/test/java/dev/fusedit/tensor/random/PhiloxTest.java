package dev.fusedit.tensor.random;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.ScalarKernels;
import dev.fusedit.tensor.kernels.VectorKernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PhiloxTest {

    private static int[] philox(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        Philox.block(c0, c1, c2, c3, k0, k1, out, 0);
        return out;
    }

    /** Random123 tests/kat_vectors, the three "philox4x32 10" lines (counter words, key words, expected words). */
    @Test
    void matchesRandom123KnownAnswers() {
        assertThat(philox(0, 0, 0, 0, 0, 0)).containsExactly(0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
        assertThat(philox(-1, -1, -1, -1, -1, -1)).containsExactly(0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
        assertThat(philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0))
                .containsExactly(0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
    }

    @Test
    void anySplitOfARequestGivesTheSameValues() {
        RandomDraw draw = new RandomDraw(0x1234, 0x5678, 7);
        int n = 1003;
        SplittableRandom cuts = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(8L * n), pieces = arena.allocate(8L * n);
            for (String kind : new String[] {"normal", "uniform", "randint"}) {
                fill(draw, kind, whole, 0, n);
                pieces.fill((byte) 0);
                long from = 0;
                while (from < n) {
                    long to = Math.min(n, from + 1 + cuts.nextInt(37));   // boundaries not aligned to blocks
                    fill(draw, kind, pieces, from, to);
                    from = to;
                }
                assertThat(pieces.mismatch(whole)).as(kind).isEqualTo(-1L);
            }
        }
    }

    private static void fill(RandomDraw draw, String kind, MemorySegment out, long from, long to) {
        switch (kind) {
            case "normal" -> draw.fillNormal(out, from, to);
            case "uniform" -> draw.fillUniform(out, from, to, -2, 3);
            default -> draw.fillRandint(out, from, to, -5, 1_000_003);
        }
    }

    @Test
    void tensorsDoNotDependOnTheThreadCountOrProvider() {
        int n = 3 * (1 << 16) + 17;   // several parallel chunks plus a tail
        float[] serial, parallel;
        try (var ignored = KernelProvider.use(ScalarKernels.F32)) {
            serial = new Rng(42).normal(n).toFloatArray();
        }
        try (KernelPool pool = new KernelPool(3); var ignored = KernelProvider.use(new VectorKernels(pool))) {
            parallel = new Rng(42).normal(n).toFloatArray();
        }
        assertThat(parallel).containsExactly(serial);
        // and element i is element i of the request, however it is cut
        RandomDraw draw = new RandomDraw(42, 0, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment single = arena.allocate(4L * n);
            for (int i : new int[] {0, 5, 65535, 65536, n - 1}) {
                draw.fillNormal(single, i, i + 1);
                assertThat(single.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i)).isEqualTo(serial[i]);
            }
        }
    }

    @Test
    void sameSeedSameSequenceAndSplitsAreDeterministicAndDistinct() {
        Rng a = new Rng(7), b = new Rng(7);
        assertThat(a.uniform(0, 1, 50).toFloatArray()).containsExactly(b.uniform(0, 1, 50).toFloatArray());
        float[] next = a.uniform(0, 1, 50).toFloatArray();
        assertThat(next).isNotEqualTo(b.normal(50).toFloatArray());
        Rng childA = a.split(), childB = b.split();
        float[] ca = childA.normal(64).toFloatArray();
        assertThat(ca).containsExactly(childB.normal(64).toFloatArray());
        assertThat(ca).isNotEqualTo(a.split().normal(64).toFloatArray());        // second split differs from the first
        assertThat(ca).isNotEqualTo(new Rng(7).normal(64).toFloatArray());      // and from the parent's own stream
        assertThat(new Rng(8).normal(64).toFloatArray()).isNotEqualTo(new Rng(7).normal(64).toFloatArray());
    }

    @Test
    void normalsHaveUnitMomentsAndUniformsStayInRange() {
        Rng rng = new Rng(2026);
        int n = 100_000;
        double[] z = rng.normal(n).toDoubleArray();
        double mean = 0, sq = 0, fourth = 0;
        for (double v : z) mean += v;
        mean /= n;
        for (double v : z) {
            sq += (v - mean) * (v - mean);
            fourth += Math.pow(v - mean, 4);
        }
        double var = sq / n;
        // standard errors: mean 1/sqrt(n) = 0.0032, variance sqrt(2/n) = 0.0045; allow about 5 sigma
        assertThat(Math.abs(mean)).isLessThan(0.016);
        assertThat(Math.abs(var - 1)).isLessThan(0.023);
        assertThat(fourth / n / (var * var)).isBetween(2.9, 3.1);   // kurtosis of a normal is 3

        double[] u = rng.uniform(-2, 3, n).toDoubleArray();
        double umean = 0;
        for (double v : u) {
            assertThat(v).isGreaterThanOrEqualTo(-2).isLessThan(3);
            umean += v;
        }
        assertThat(Math.abs(umean / n - 0.5)).isLessThan(5 * 5 / Math.sqrt(12.0 * n));

        Tensor ints = rng.randint(3, 13, n);
        assertThat(ints.dtype()).isEqualTo(DType.I64);
        int[] counts = new int[10];
        for (double v : ints.toDoubleArray()) {
            assertThat(v).isBetween(3.0, 12.0);
            counts[(int) v - 3]++;
        }
        for (int c : counts) assertThat(Math.abs(c - n / 10.0)).isLessThan(5 * Math.sqrt(n * 0.09));
    }

    @Test
    void badRangesAreRejected() {
        Rng rng = new Rng(1);
        assertThatThrownBy(() -> rng.uniform(1, 1, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lo < hi");
        assertThatThrownBy(() -> rng.randint(5, 5, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lo < hi");
    }
}
