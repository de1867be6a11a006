package dev.fusedit.layers;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.Reduce;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModuleTest {
    @TempDir
    Path dir;

    static final class Leaf extends Module {
        final Parameter weight, bias;

        Leaf(int n) {
            weight = parameter("weight", n, 2);
            bias = parameter("bias", n);
        }
    }

    static final class Tree extends Module {
        final List<Leaf> layers;
        final Leaf head;

        Tree() {
            layers = childList("layers", List.of(new Leaf(3), new Leaf(4)));
            head = child("head", new Leaf(1));
        }
    }

    /** layers.0 of the wrong size, no layers.1 or head, and an extra parameter. */
    static final class Mismatched extends Module {
        Mismatched() {
            childList("layers", List.of(new Leaf(5)));
            parameter("extra", 2);
        }
    }

    static void fill(Module m) {
        int[] k = {0};
        m.namedParameters().values().forEach(p -> {
            Tensor t = Tensor.zeros(p.shape());
            for (long i = 0; i < t.numel(); i++) t.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, k[0]++);
            p.set(t);
        });
    }

    @Test
    void namesFollowPytorchStateDictKeys() {
        Tree t = new Tree();
        assertThat(t.namedParameters().keySet()).containsExactly(
                "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "head.weight", "head.bias");
        assertThat(t.parameterCount()).isEqualTo(3 * 2 + 3 + 4 * 2 + 4 + 2 + 1);
    }

    @Test
    void savesAndLoadsByKeyWithAPrefix() throws IOException {
        Tree a = new Tree();
        fill(a);
        StateDict.save(a, "model.", dir.resolve("m.safetensors"));
        Tree b = new Tree();
        try (TensorSource src = TensorSource.open(dir.resolve("m.safetensors"))) {
            StateDict.load(b, src, "model.");
            assertThat(b.layers.get(1).weight.get().toDoubleArray()).containsExactly(a.layers.get(1).weight.get().toDoubleArray());
        }
    }

    @Test
    void mismatchedCheckpointsListEveryProblemInOneMessage() throws IOException {
        Tree a = new Tree();
        fill(a);
        StateDict.save(a, "", dir.resolve("m.safetensors"));
        Module other = new Mismatched();
        try (TensorSource src = TensorSource.open(dir.resolve("m.safetensors"))) {
            assertThatThrownBy(() -> StateDict.load(other, src, ""))
                    .hasMessageContaining("missing keys: extra")
                    .hasMessageContaining("wrong shapes: layers.0.weight [3, 2] (expected [5, 2])")
                    .hasMessageContaining("unexpected keys: layers.1.weight, layers.1.bias, head.weight, head.bias");
        }
    }

    @Test
    void flatBufferHoldsValuesAndGradientsOfTrainableParameters() {
        Tree t = new Tree();
        fill(t);
        t.head.setTrainable(false);
        double before = t.layers.get(1).bias.get().get(2);
        try (ParameterBuffer buf = new ParameterBuffer(t)) {
            assertThat(buf.names()).containsExactly("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias");
            Tensor bias = t.layers.get(1).bias.get();
            assertThat(bias.get(2)).isEqualTo(before);
            assertThat(bias.segment()).isSameAs(buf.values().segment());
            Reduce.sum(Pointwise.mul(bias, 3.0)).backward();
            long at = buf.offsetOf("layers.1.bias");
            assertThat(buf.grads().get((int) at + 2)).isEqualTo(3.0);
            buf.zeroGrads();
            assertThat(buf.grads().get((int) at + 2)).isZero();
            assertThat(t.head.weight.get().requiresGrad()).isFalse();
            assertThat(buf.values().dtype()).isEqualTo(DType.F32);
        }
    }
}
