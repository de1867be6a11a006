package dev.fusedit.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryPoolTest {

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @Test
    void aLaterScopeReusesTheMemoryAndZerosStillAreZeros() {
        SplittableRandom r = new SplittableRandom(1);
        try (MemoryPool pool = new MemoryPool()) {
            int[][] shapes = {{3, 17}, {700, 900}, {1}, {64, 64, 33}};
            long heldAfterFirstRound = -1;
            for (int round = 0; round < 3; round++) {
                try (MemoryScope ignored = MemoryScope.open(pool)) {
                    for (int[] s : shapes) {
                        Tensor z = Tensor.zeros(DType.F32, s);
                        // counted in a plain loop: an assertion per element took a minute for these 700k values
                        int nonZero = 0;
                        for (float f : z.toFloatArray()) if (f != 0f || Float.floatToRawIntBits(f) != 0) nonZero++;
                        assertThat(nonZero).as("non-zero elements of zeros(%s)", java.util.Arrays.toString(s)).isZero();
                        // dirty the memory so the next round's zeros() must clear it
                        float[] v = random(r, (int) z.numel());
                        z.copyFrom(Tensor.of(v, s));
                        assertThat(z.toFloatArray()).isEqualTo(v);
                        Tensor e = Tensor.empty(DType.F32, s);
                        assertThat(e.data().byteSize()).isEqualTo(z.numel() * 4);
                        assertThat(e.data().address() % MemoryScope.ALIGNMENT).isZero();
                    }
                }
                if (round == 0) heldAfterFirstRound = pool.heldBytes();
                else assertThat(pool.heldBytes()).as("round %d allocates nothing new", round).isEqualTo(heldAfterFirstRound);
            }
        }
    }

    @Test
    void tensorsOfAClosedScopeCannotBeRead() {
        try (MemoryPool pool = new MemoryPool()) {
            Tensor t;
            try (MemoryScope ignored = MemoryScope.open(pool)) {
                t = Tensor.ones(4, 4);
            }
            assertThatThrownBy(t::toFloatArray).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void nestedScopesDrawFromTheOuterScopesPool() {
        try (MemoryPool pool = new MemoryPool()) {
            try (MemoryScope outer = MemoryScope.open(pool)) {
                Tensor a = Tensor.full(DType.F32, 2, 1000, 1000);
                try (MemoryScope inner = MemoryScope.open()) {
                    Tensor b = Tensor.full(DType.F32, 3, 1000, 1000);
                    assertThat(b.get(999, 999)).isEqualTo(3);
                }
                assertThat(pool.heldBytes()).isGreaterThanOrEqualTo(2L * 4_000_000);
                assertThat(a.get(999, 999)).isEqualTo(2);
            }
        }
    }

    @Test
    void stridedCopiesMatchTheElementWalk() {
        SplittableRandom r = new SplittableRandom(2);
        int[][] shapes = {{2, 3, 5, 7}, {1, 17, 1, 33}, {4, 1, 3, 16}};
        int[][] orders = {{0, 2, 1, 3}, {3, 2, 1, 0}, {1, 0, 3, 2}, {0, 1, 2, 3}};
        for (int[] s : shapes)
            for (int[] o : orders) {
                Tensor x = Tensor.of(random(r, (int) Tensor.numel(s)), s);
                Tensor view = x.permute(o).narrow(0, 0, Math.max(1, x.permute(o).size(0) - 1));
                Tensor copy = view.contiguous();
                double[] expected = new double[(int) view.numel()];
                StridedWalk.forEach(view, (i, at) -> expected[(int) i] = view.segment().getAtIndex(ElementAccess.F32, at));
                assertThat(copy.toDoubleArray()).containsExactly(expected);
                // and into a strided destination (a permuted view of a fresh tensor)
                Tensor dst = Tensor.zeros(DType.F32, view.shape());
                Tensor dstView = dst.permute(3, 2, 1, 0);
                dstView.copyFrom(view.permute(3, 2, 1, 0));
                assertThat(dst.toDoubleArray()).containsExactly(expected);
                // I64 (8-byte) elements take the same path
                Tensor ids = view.to(DType.I64).permute(1, 0, 2, 3);
                assertThat(ids.contiguous().permute(1, 0, 2, 3).toDoubleArray()).containsExactly(view.to(DType.I64).toDoubleArray());
            }
    }
}
