package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fusedit.tensor.ops.OpOracle.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JoinSplitTest {

    /** Expected cat: output index along {@code a} picks the input whose range covers it. */
    private static double[] catOracle(int a, int[] outShape, Tensor... parts) {
        int[][] all = OpOracle.indices(outShape);
        double[] out = new double[all.length];
        for (int i = 0; i < all.length; i++) {
            int[] idx = all[i].clone();
            int k = 0;
            while (idx[a] >= parts[k].size(a)) idx[a] -= parts[k++].size(a);
            out[i] = parts[k].get(idx);
        }
        return out;
    }

    @Test
    void catJoinsAlongEachDimensionIncludingStridedInputs() {
        for (int dim = -3; dim < 3; dim++) {
            int a = dim < 0 ? dim + 3 : dim;
            int[] s0 = {2, 3, 4}, s1 = {2, 3, 4}, s2 = {2, 3, 4};
            s0[a] = 1;
            s1[a] = 3;
            s2[a] = 2;
            Tensor p0 = uniform(1, DType.F32, -1, 1, s0);
            Tensor p1 = uniform(2, DType.F32, -1, 1, s1[2], s1[0], s1[1]).permute(1, 2, 0);   // strided
            Tensor p2 = uniform(3, DType.F32, -1, 1, s2);
            Tensor y = JoinSplit.cat(dim, p0, p1, p2);
            int[] shape = {2, 3, 4};
            shape[a] = 6;
            assertThat(y.shape()).containsExactly(shape);
            assertThat(y.dtype()).isEqualTo(DType.F32);
            assertThat(y.toDoubleArray()).containsExactly(catOracle(a, shape, p0, p1, p2));
        }
        Tensor ids = JoinSplit.cat(0, Tensor.of(DType.I64, new double[] {5, 6}, 2), Tensor.of(DType.I64, new double[] {7}, 1));
        assertThat(ids.dtype()).isEqualTo(DType.I64);
        assertThat(ids.toDoubleArray()).containsExactly(5, 6, 7);
        Tensor mixed = JoinSplit.cat(0, Tensor.ones(2), uniform(4, DType.F64, -1, 1, 3));
        assertThat(mixed.dtype()).isEqualTo(DType.F64);
    }

    @Test
    void catAndStackGradientsMatchFiniteDifferences() {
        Tensor a = GradCheck.random(11, 3, 2, 5).requiresGrad(true);
        Tensor b = GradCheck.random(12, 3, 4, 5).requiresGrad(true);
        Tensor c = GradCheck.random(13, 5, 1, 3).requiresGrad(true);
        GradCheck.check(in -> JoinSplit.cat(1, in[0], in[1], in[2].permute(2, 1, 0)), a, b, c);
        GradCheck.check(in -> JoinSplit.cat(-1, in[0].narrow(1, 0, 1), in[1].narrow(1, 2, 1)), a, b);
        Tensor constant = GradCheck.random(14, 3, 1, 5);
        GradCheck.check(in -> JoinSplit.cat(1, constant, in[0], in[0]), a);   // the same input twice: gradients add

        Tensor x = GradCheck.random(15, 4, 5).requiresGrad(true);
        Tensor y = GradCheck.random(16, 5, 4).requiresGrad(true);
        for (int dim = -3; dim <= 2; dim++) {
            int d = dim;
            GradCheck.check(in -> JoinSplit.stack(d, in[0], in[1].transpose(0, 1), in[0]), x, y);
        }
    }

    @Test
    void stackAddsANewDimension() {
        Tensor p = uniform(21, DType.F32, -1, 1, 2, 3), q = uniform(22, DType.F32, -1, 1, 3, 2).transpose(0, 1);
        for (int dim = -3; dim <= 2; dim++) {
            int a = dim < 0 ? dim + 3 : dim;
            Tensor s = JoinSplit.stack(dim, p, q);
            int[] shape = {2, 3};
            int[] expectedShape = new int[3];
            for (int d = 0, k = 0; d < 3; d++) expectedShape[d] = d == a ? 2 : shape[k++];
            assertThat(s.shape()).containsExactly(expectedShape);
            for (int[] idx : OpOracle.indices(expectedShape)) {
                int[] inner = new int[2];
                for (int d = 0, k = 0; d < 3; d++) if (d != a) inner[k++] = idx[d];
                assertThat(s.get(idx)).isEqualTo((idx[a] == 0 ? p : q).get(inner));
            }
        }
    }

    @Test
    void splitAndChunkAreViewsCoveringTheDimension() {
        Tensor x = uniform(31, DType.F32, -1, 1, 3, 10);
        List<Tensor> bySize = JoinSplit.split(x, 1, 4);
        assertThat(bySize).extracting(t -> t.size(1)).containsExactly(4, 4, 2);
        List<Tensor> bySizes = JoinSplit.split(x, -1, new int[] {2, 0, 5, 3});
        assertThat(bySizes).extracting(t -> t.size(1)).containsExactly(2, 0, 5, 3);
        List<Tensor> chunks = JoinSplit.chunk(x, 3, 1);
        assertThat(chunks).extracting(t -> t.size(1)).containsExactly(4, 4, 2);
        assertThat(JoinSplit.chunk(x, 4, 0)).extracting(t -> t.size(0)).containsExactly(1, 1, 1);   // like torch: fewer than asked
        assertThat(JoinSplit.chunk(x, 5, 1)).extracting(t -> t.size(1)).containsExactly(2, 2, 2, 2, 2);
        for (List<Tensor> pieces : List.of(bySize, bySizes, chunks)) {
            int start = 0;
            for (Tensor piece : pieces) {
                assertThat(piece.segment()).isSameAs(x.segment());
                for (int[] idx : OpOracle.indices(piece.shape()))
                    assertThat(piece.get(idx)).isEqualTo(x.get(idx[0], idx[1] + start));
                start += piece.size(1);
            }
            assertThat(start).isEqualTo(10);
        }
    }

    @Test
    void splitGradientsFlowBackThroughTheViews() {
        Tensor x = GradCheck.random(41, 4, 7).requiresGrad(true);
        GradCheck.check(in -> {
            List<Tensor> p = JoinSplit.split(in[0].transpose(0, 1), 0, new int[] {3, 4});
            return Pointwise.mul(p.get(0), p.get(1).narrow(0, 1, 3));
        }, x);
        GradCheck.check(in -> {
            List<Tensor> c = JoinSplit.chunk(in[0], 3, 1);   // sizes 3, 3, 1
            return JoinSplit.cat(1, c.get(2), Pointwise.tanh(c.get(0)));
        }, x);
    }

    @Test
    void mismatchedShapesAreRejectedWithTheShapes() {
        assertThatThrownBy(() -> JoinSplit.cat(0, Tensor.zeros(2, 3), Tensor.zeros(2, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor 1 has shape [2, 4]").hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> JoinSplit.cat(1, Tensor.zeros(2, 3), Tensor.zeros(2, 3, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3, 1]");
        assertThatThrownBy(() -> JoinSplit.cat(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> JoinSplit.stack(0, Tensor.zeros(2, 3), Tensor.zeros(3, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor 1 has shape [3, 2]");
        assertThatThrownBy(() -> JoinSplit.split(Tensor.zeros(2, 5), 1, new int[] {2, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("add up to 4").hasMessageContaining("size 5");
        assertThatThrownBy(() -> JoinSplit.split(Tensor.zeros(2, 5), 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JoinSplit.chunk(Tensor.zeros(2, 5), 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
