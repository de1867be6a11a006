package dev.fusedit.tornado.bench;

import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.kernels.ScalarKernels;
import dev.fusedit.tornado.TornadoAvailability;
import dev.fusedit.tornado.kernels.OnDeviceFailure;
import dev.fusedit.tornado.kernels.TornadoKernels;
import dev.fusedit.tornado.kernels.TornadoKernelsFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times the TornadoVM GEMM and attention forward on the default device, for scripts/gpu-check.sh,
 * which times PyTorch on the same shapes. One JSON line per shape: the median wall time of a call
 * through the Kernels interface (host staging and transfers included) and the median device time
 * of its kernels (TornadoVM's profiler).
 * <pre>java [TornadoVM flags] -cp ... dev.fusedit.tornado.bench.GpuBench [repeats [divisor]]</pre>
 * A divisor above 1 shrinks every size but head_dim by it: a quick run on a CPU OpenCL device.
 */
public final class GpuBench {
    private GpuBench() {}

    /** m, n, k: square sizes and the shapes of a Gemma-2-2B projection (hidden 2304, MLP 9216) on 1024 tokens. */
    private static final int[][] GEMMS = {{1024, 1024, 1024}, {2048, 2048, 2048}, {4096, 4096, 4096}, {1024, 9216, 2304}, {1024, 2304, 9216}};
    /** batch, heads, kvHeads, seq, headDim: Gemma-2-2B attention (8 heads, 4 kv heads, head_dim 256) and a DiT-like one. */
    private static final int[][] ATTENTIONS = {{1, 8, 4, 1024, 256}, {2, 16, 16, 1024, 64}};

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int divisor = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        String problem = TornadoAvailability.problem();
        if (problem != null) {
            System.err.println("gpu-bench: no TornadoVM device: " + problem);
            System.exit(1);
        }
        try (TornadoKernels k = TornadoKernelsFactory.open(ScalarKernels.F32, OnDeviceFailure.FAIL, true);
             Arena arena = Arena.ofConfined()) {
            SplittableRandom rnd = new SplittableRandom(1);
            String device = k.deviceDescription().replace("\"", "'");
            for (int[] g : GEMMS) {
                g = new int[] {g[0] / divisor, g[1] / divisor, g[2] / divisor};
                var s = MatmulShape.of(g[0], g[1], g[2]);
                MemorySegment a = random(arena, rnd, (long) g[0] * g[2]), b = random(arena, rnd, (long) g[2] * g[1]), c = arena.allocate((long) g[0] * g[1] * Float.BYTES, 64);
                double[] t = time(k, repeats, () -> k.matmul(s, a, b, c));
                System.out.printf("{\"op\":\"gemm\",\"m\":%d,\"n\":%d,\"k\":%d,\"call_ms\":%.4f,\"kernel_ms\":%.4f,\"device\":\"%s\"}%n", g[0], g[1], g[2], t[0], t[1], device);
            }
            for (int[] at : ATTENTIONS) {
                int batch = at[0], heads = at[1], kvHeads = at[2], seq = at[3] / divisor, dim = at[4];
                var s = new AttentionShape(batch, heads, kvHeads, seq, seq, dim, (float) (1 / Math.sqrt(dim)), 0f, 0);
                long qe = (long) batch * seq * heads * dim, kve = (long) batch * seq * kvHeads * dim;
                MemorySegment q = random(arena, rnd, qe), kk = random(arena, rnd, kve), v = random(arena, rnd, kve);
                MemorySegment out = arena.allocate(qe * Float.BYTES, 64), lse = arena.allocate((long) batch * heads * seq * Float.BYTES, 64);
                double[] t = time(k, repeats, () -> k.attention(s, q, kk, v, null, out, lse));
                System.out.printf("{\"op\":\"attention\",\"batch\":%d,\"heads\":%d,\"kv_heads\":%d,\"seq\":%d,\"head_dim\":%d,\"call_ms\":%.4f,\"kernel_ms\":%.4f,\"device\":\"%s\"}%n",
                        batch, heads, kvHeads, seq, dim, t[0], t[1], device);
            }
        }
    }

    private static MemorySegment random(Arena arena, SplittableRandom rnd, long n) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextDouble(-1, 1));
        return s;
    }

    /** Median call and kernel milliseconds after two warm-up calls (the first compiles). */
    private static double[] time(TornadoKernels k, int repeats, Runnable call) {
        call.run();
        call.run();
        double[] wall = new double[repeats], kernel = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            call.run();
            wall[i] = (System.nanoTime() - t0) / 1e6;
            kernel[i] = k.lastKernelNanos() / 1e6;
        }
        Arrays.sort(wall);
        Arrays.sort(kernel);
        return new double[] {wall[repeats / 2], kernel[repeats / 2]};
    }
}
