package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.GradCheck;
import dev.fusedit.tensor.kernels.AdamWStep;
import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.RopeShape;
import dev.fusedit.tensor.kernels.ScalarKernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinalgTest {

    /** Straightforward C[i][j] = Σ_p A[i][p]·B[p][j] over explicitly broadcast batch indices. */
    private static double[] naiveMatmul(Tensor a, Tensor b, int[] outShape) {
        int r = outShape.length, m = outShape[r - 2], n = outShape[r - 1], k = a.size(-1);
        double[] out = new double[(int) Tensor.numel(outShape)];
        int[] idx = new int[r];
        for (int e = 0; e < out.length; e++) {
            int rem = e;
            for (int d = r - 1; d >= 0; d--) {
                idx[d] = rem % outShape[d];
                rem /= outShape[d];
            }
            double acc = 0;
            for (int p = 0; p < k; p++) acc += a.get(pick(a, idx, idx[r - 2], p)) * b.get(pick(b, idx, p, idx[r - 1]));
            out[e] = acc;
        }
        return out;
    }

    /** Index into t for output batch index idx (broadcast dims read 0) and matrix position (row, col). */
    private static int[] pick(Tensor t, int[] idx, int row, int col) {
        int[] at = new int[t.dim()];
        int lead = idx.length - t.dim();
        for (int d = 0; d < t.dim() - 2; d++) at[d] = t.size(d) == 1 ? 0 : idx[d + lead];
        at[t.dim() - 2] = row;
        at[t.dim() - 1] = col;
        return at;
    }

    private static void assertClose(double[] actual, double[] expected, double tol) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++)
            assertThat(Math.abs(actual[i] - expected[i])).as("element " + i).isLessThanOrEqualTo(tol * (1 + Math.abs(expected[i])));
    }

    @Test
    void forwardMatchesTheDefinitionForPlainBroadcastAndTransposedOperands() {
        Tensor a = GradCheck.random(1, 3, 5), b = GradCheck.random(2, 5, 4);
        assertClose(Linalg.matmul(a, b).toDoubleArray(), naiveMatmul(a, b, new int[] {3, 4}), 1e-12);

        Tensor ba = GradCheck.random(3, 2, 1, 3, 5), bb = GradCheck.random(4, 3, 5, 2);   // [2,1] x [3] batches
        Tensor c = Linalg.matmul(ba, bb);
        assertThat(c.shape()).containsExactly(2, 3, 3, 2);
        assertClose(c.toDoubleArray(), naiveMatmul(ba, bb, new int[] {2, 3, 3, 2}), 1e-12);

        Tensor at = GradCheck.random(5, 2, 5, 3).transpose(-1, -2);      // [2,3,5] stored transposed
        Tensor bt = GradCheck.random(6, 4, 5).transpose(0, 1);           // [5,4] stored transposed, shared
        assertClose(Linalg.matmul(at, bt).toDoubleArray(), naiveMatmul(at, bt, new int[] {2, 3, 4}), 1e-12);

        Tensor strided = GradCheck.random(7, 3, 10).narrow(1, 2, 5);     // neither layout: copied
        assertClose(Linalg.matmul(strided, b).toDoubleArray(), naiveMatmul(strided, b, new int[] {3, 4}), 1e-12);

        Tensor v = GradCheck.random(8, 5);
        Tensor mv = Linalg.matmul(a, v);
        assertThat(mv.shape()).containsExactly(3);
        assertClose(mv.toDoubleArray(), naiveMatmul(a, v.unsqueeze(1), new int[] {3, 1}), 1e-12);
        Tensor dot = Linalg.matmul(v, v);
        assertThat(dot.dim()).isZero();
        assertThat(dot.item()).isCloseTo(Arrays.stream(v.toDoubleArray()).map(x -> x * x).sum(), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void gradientsOfPlainBatchedBroadcastAndTransposedProducts() {
        GradCheck.check(t -> Linalg.matmul(t[0], t[1]), GradCheck.random(1, 3, 5).requiresGrad(true), GradCheck.random(2, 5, 4).requiresGrad(true));
        // broadcast batch [2,1] x [3]
        GradCheck.check(t -> Linalg.matmul(t[0], t[1]), GradCheck.random(3, 2, 1, 3, 4).requiresGrad(true), GradCheck.random(4, 3, 4, 2).requiresGrad(true));
        // batched activations times a 2-D weight (batch stride 0, tall product)
        GradCheck.check(t -> Linalg.matmul(t[0], t[1]), GradCheck.random(5, 2, 3, 4).requiresGrad(true), GradCheck.random(6, 4, 5).requiresGrad(true));
        // 2-D times batched (the shared operand is a)
        GradCheck.check(t -> Linalg.matmul(t[0], t[1]), GradCheck.random(7, 3, 4).requiresGrad(true), GradCheck.random(8, 2, 4, 5).requiresGrad(true));
        // transposed views of both operands, batched, and a transposed shared weight
        GradCheck.check(t -> Linalg.matmul(t[0].transpose(-1, -2), t[1].transpose(-1, -2)),
                GradCheck.random(9, 2, 4, 3).requiresGrad(true), GradCheck.random(10, 2, 5, 4).requiresGrad(true));
        GradCheck.check(t -> Linalg.matmul(t[0].transpose(-1, -2), t[1].transpose(0, 1)),
                GradCheck.random(11, 2, 4, 3).requiresGrad(true), GradCheck.random(12, 5, 4).requiresGrad(true));
        // shared operands under the accumulated-sum paths: a transposed 2-D a, a plain 2-D b under transposed a
        GradCheck.check(t -> Linalg.matmul(t[0].transpose(0, 1), t[1]), GradCheck.random(19, 4, 3).requiresGrad(true), GradCheck.random(20, 2, 4, 5).requiresGrad(true));
        GradCheck.check(t -> Linalg.matmul(t[0].transpose(-1, -2), t[1]), GradCheck.random(21, 2, 4, 3).requiresGrad(true), GradCheck.random(22, 1, 4, 5).requiresGrad(true));
        // an expanded (stride-0) weight that requires its own per-batch gradient
        GradCheck.check(t -> Linalg.matmul(t[0], t[1].expand(2, 4, 3)), GradCheck.random(13, 2, 5, 4).requiresGrad(true), GradCheck.random(14, 4, 3).requiresGrad(true));
        // non-contiguous (narrowed) operand and vectors
        GradCheck.check(t -> Linalg.matmul(t[0].narrow(1, 1, 4), t[1]), GradCheck.random(15, 3, 6).requiresGrad(true), GradCheck.random(16, 4, 2).requiresGrad(true));
        GradCheck.check(t -> Linalg.matmul(t[0], t[1]), GradCheck.random(17, 4).requiresGrad(true), GradCheck.random(18, 2, 4, 3).requiresGrad(true));
    }

    @Test
    void linearMatchesTheDefinitionAndItsGradients() {
        Tensor x = GradCheck.random(1, 2, 3, 4), w = GradCheck.random(2, 5, 4), bias = GradCheck.random(3, 5);
        double[] y = Linalg.linear(x, w, bias).toDoubleArray();
        double[] expected = new double[2 * 3 * 5];
        for (int r = 0; r < 6; r++)
            for (int o = 0; o < 5; o++) {
                double acc = bias.get(o);
                for (int i = 0; i < 4; i++) acc += x.get(r / 3, r % 3, i) * w.get(o, i);
                expected[r * 5 + o] = acc;
            }
        assertClose(y, expected, 1e-12);
        GradCheck.check(t -> Linalg.linear(t[0], t[1], t[2]), x.requiresGrad(true), w.requiresGrad(true), bias.requiresGrad(true));
        GradCheck.check(t -> Linalg.linear(t[0], t[1], null), GradCheck.random(4, 3, 4).requiresGrad(true), GradCheck.random(5, 2, 4).requiresGrad(true));
        assertThatThrownBy(() -> Linalg.linear(x, GradCheck.random(6, 5, 3), null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in-features 3");
        assertThatThrownBy(() -> Linalg.matmul(GradCheck.random(1, 2, 3), GradCheck.random(2, 4, 2))).isInstanceOf(IllegalArgumentException.class);
    }

    /** BF16 storage (weights as loaded) computes in F32 on the widened values, gradients included. */
    @Test
    void bf16OperandsComputeInFloat32() {
        Tensor x = GradCheck.random(1, 2, 3, 6).to(DType.F32), w16 = GradCheck.random(2, 5, 6).to(DType.BF16);
        Tensor w32 = w16.to(DType.F32);
        Tensor y16 = Linalg.linear(x, w16, null), y32 = Linalg.linear(x, w32, null);
        assertThat(y16.dtype()).isEqualTo(DType.F32);
        assertThat(y16.toFloatArray()).containsExactly(y32.toFloatArray());
        w16.requiresGrad(true);
        w32.requiresGrad(true);
        Reduce.sum(Linalg.linear(x, w16, null)).backward();
        Reduce.sum(Linalg.linear(x, w32, null)).backward();
        assertThat(w16.grad().dtype()).isEqualTo(DType.F32);
        assertThat(w16.grad().toFloatArray()).containsExactly(w32.grad().toFloatArray());
        assertThatThrownBy(() -> Linalg.matmul(Tensor.zeros(DType.I64, 2, 2), x)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floating");
    }

    /** F32 calls reach the kernel with transpose flags and stride-0 weights instead of copies. */
    @Test
    void transposedAndSharedOperandsReachTheKernelWithoutCopies() {
        List<MatmulShape> calls = new ArrayList<>();
        Kernels recorder = recordingMatmul(calls);
        Tensor x = Tensor.of(new float[2 * 3 * 4], 2, 3, 4), w = Tensor.of(new float[5 * 4], 5, 4);
        x.requiresGrad(true);
        w.requiresGrad(true);
        try (var ignored = KernelProvider.use(recorder)) {
            Tensor y = Linalg.linear(x, w, null);
            Reduce.sum(y).backward();
            Linalg.matmul(Tensor.of(new float[2 * 4 * 3], 2, 4, 3).transpose(1, 2), Tensor.of(new float[20], 5, 4).transpose(0, 1));
        }
        assertThat(calls.get(0).transB()).isTrue();                     // forward reads w [5,4] transposed
        assertThat(calls).allSatisfy(s -> assertThat(s.k() * (long) s.m() * s.n()).isPositive());
        MatmulShape last = calls.get(calls.size() - 1);
        assertThat(last.transA()).isTrue();
        assertThat(last.transB()).isTrue();
        assertThat(last.strideB()).isZero();                            // one weight for every batch
        assertThat(w.grad().shape()).containsExactly(5, 4);
    }

    /** Delegates to the float oracle, recording each matmul's shape. */
    static Kernels recordingMatmul(List<MatmulShape> calls) {
        return recordingMatmul(calls, calls);
    }

    /** Delegates to the float oracle, recording float32 and bfloat16-weight matmul shapes in separate lists. */
    static Kernels recordingMatmul(List<MatmulShape> calls, List<MatmulShape> bf16Calls) {
        Kernels oracle = ScalarKernels.F32;
        return new Kernels() {
            public String name() { return "recording"; }
            public void matmul(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c) { calls.add(s); oracle.matmul(s, a, b, c); }
            public void matmulBf16Weights(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c) { bf16Calls.add(s); oracle.matmulBf16Weights(s, a, b, c); }
            public void attention(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment m, MemorySegment o, MemorySegment l) { oracle.attention(s, q, k, v, m, o, l); }
            public void attentionBackward(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment m, MemorySegment o, MemorySegment l,
                                          MemorySegment d, MemorySegment dq, MemorySegment dk, MemorySegment dv) { oracle.attentionBackward(s, q, k, v, m, o, l, d, dq, dk, dv); }
            public void rope(RopeShape s, MemorySegment x, MemorySegment c, MemorySegment si, MemorySegment o, boolean inv) { oracle.rope(s, x, c, si, o, inv); }
            public void rmsNorm(int r, int d, float e, float o, MemorySegment x, MemorySegment w, MemorySegment out, MemorySegment rs) { oracle.rmsNorm(r, d, e, o, x, w, out, rs); }
            public void rmsNormBackward(int r, int d, float o, MemorySegment x, MemorySegment w, MemorySegment rs, MemorySegment dy, MemorySegment dx, MemorySegment dw) { oracle.rmsNormBackward(r, d, o, x, w, rs, dy, dx, dw); }
            public void geglu(long n, MemorySegment g, MemorySegment u, MemorySegment o) { oracle.geglu(n, g, u, o); }
            public void gegluBackward(long n, MemorySegment g, MemorySegment u, MemorySegment d, MemorySegment dg, MemorySegment du) { oracle.gegluBackward(n, g, u, d, dg, du); }
            public void softmax(int r, int c, MemorySegment x, MemorySegment o) { oracle.softmax(r, c, x, o); }
            public void softmaxBackward(int r, int c, MemorySegment y, MemorySegment dy, MemorySegment dx) { oracle.softmaxBackward(r, c, y, dy, dx); }
            public void adamw(long n, AdamWStep st, MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v) { oracle.adamw(n, st, p, g, m, v); }
            public KernelPool cpuPool() { return oracle.cpuPool(); }
            public double sumOfSquares(long n, MemorySegment x) { return oracle.sumOfSquares(n, x); }
            public void scale(long n, float c, MemorySegment x) { oracle.scale(n, c, x); }
            public void emaUpdate(long n, float d, MemorySegment e, MemorySegment p) { oracle.emaUpdate(n, d, e, p); }
        };
    }
}
