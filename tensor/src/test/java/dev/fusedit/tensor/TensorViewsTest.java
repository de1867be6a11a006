package dev.fusedit.tensor;

import dev.fusedit.tensor.GradCheck;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.Reduce;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorViewsTest {

    private static Tensor iota(int... shape) {
        return Tensor.arange(DType.F32, (int) Tensor.numel(shape)).reshape(shape);
    }

    @Test
    void permuteAndNarrowShareStorageAndIndexCorrectly() {
        Tensor x = iota(2, 3, 4);
        Tensor p = x.permute(2, 0, 1);
        assertThat(p.shape()).containsExactly(4, 2, 3);
        assertThat(p.get(3, 1, 2)).isEqualTo(x.get(1, 2, 3));
        Tensor n = x.narrow(2, 1, 2);
        assertThat(n.toDoubleArray()).containsExactly(1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22);
        assertThat(n.isContiguous()).isFalse();
        assertThat(n.segment()).isSameAs(x.segment());
    }

    @Test
    void reshapeOfAPermutedTensorViewsWhenPossibleAndCopiesOtherwise() {
        Tensor x = iota(2, 3, 4);
        Tensor t = x.transpose(0, 1);                    // (3,2,4): last dim still contiguous
        Tensor merged = t.reshape(3, 8);                 // needs a copy: dims 0,1 are not mergeable
        assertThat(merged.toDoubleArray()).containsExactly(t.contiguous().toDoubleArray());
        Tensor split = x.transpose(1, 2).reshape(2, 2, 2, 3); // splits dim of size 4 (stride 1)
        assertThat(split.segment()).isSameAs(x.segment());
        assertThat(split.toDoubleArray()).containsExactly(x.transpose(1, 2).contiguous().toDoubleArray());
    }

    @Test
    void expandBroadcastsWithZeroStride() {
        Tensor x = iota(3, 1);
        Tensor e = x.expand(2, 3, 4);
        assertThat(e.strides()).containsExactly(0, 1, 0);
        assertThat(e.get(1, 2, 3)).isEqualTo(2);
        assertThatThrownBy(() -> iota(3, 2).expand(3, 4)).hasMessageContaining("cannot expand");
    }

    @Test
    void viewGradientsMatchFiniteDifferences() {
        Tensor a = GradCheck.random(1, 2, 3, 4).requiresGrad(true);
        GradCheck.check(in -> in[0].permute(2, 0, 1).narrow(0, 1, 2).reshape(2, 6).unsqueeze(0), a);
        Tensor b = GradCheck.random(2, 3, 1).requiresGrad(true);
        GradCheck.check(in -> in[0].expand(2, 3, 5).transpose(0, 2).contiguous(), b);
    }

    @Test
    void broadcastArithmeticGradients() {
        Tensor a = GradCheck.random(3, 2, 3, 4).requiresGrad(true);
        Tensor b = GradCheck.random(4, 3, 1).requiresGrad(true);
        GradCheck.check(in -> Pointwise.div(Pointwise.mul(Pointwise.add(in[0], in[1]), Pointwise.sub(in[0], in[1])),
                Pointwise.add(Pointwise.mul(in[1], in[1]), 1.5)), a, b);
        GradCheck.check(in -> Reduce.sum(in[0], true, 1, -1), a);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Reduce.sum(Pointwise.mul(a, 2.0)).backward();
        Reduce.sum(Pointwise.mul(a, 3.0)).backward();
        assertThat(a.grad().toFloatArray()).containsExactly(5, 5, 5);
    }
}
