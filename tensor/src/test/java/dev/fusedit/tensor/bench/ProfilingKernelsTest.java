package dev.fusedit.tensor.bench;

import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.ScalarKernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

class ProfilingKernelsTest {

    @Test
    void countsTheFlopsOfProductsAndAttentionAndTimesEveryKernel() {
        ProfilingKernels profile = new ProfilingKernels(ScalarKernels.F32);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4L * 3 * 5), b = arena.allocate(4L * 5 * 7), c = arena.allocate(4L * 3 * 7);
            profile.matmul(MatmulShape.of(3, 7, 5), a, b, c);
            profile.matmul(MatmulShape.of(3, 7, 5), a, b, c);
            // batch 2, 2 heads over 1 kv head, 3 queries, 4 keys, head_dim 5
            AttentionShape s = new AttentionShape(2, 2, 1, 3, 4, 5, 0.5f, 0f, 0);
            MemorySegment q = arena.allocate(4L * 2 * 3 * 2 * 5), kv = arena.allocate(4L * 2 * 4 * 5), out = arena.allocate(4L * 2 * 3 * 2 * 5),
                    lse = arena.allocate(4L * 2 * 2 * 3);
            profile.attention(s, q, kv, kv, null, out, lse);
            profile.geglu(4, q, q, out);
        }
        // 2·m·n·k per product; QKᵀ and PV: 2 · (2·batch·heads·q·k·d)
        assertThat(profile.flops()).isEqualTo(2 * (2.0 * 3 * 7 * 5) + 4.0 * 2 * 2 * 3 * 4 * 5);
        assertThat(profile.byKernel()).containsOnlyKeys("matmul", "attention", "geglu");
        assertThat(profile.byKernel().get("matmul").calls()).isEqualTo(2);
        assertThat(profile.byKernel().get("geglu").flops()).isZero();
        assertThat(profile.byMatmulShape()).containsOnlyKeys("1 x 3 x 5 x 7");
        assertThat(profile.kernelSeconds()).isPositive();
    }
}
