package dev.fusedit.tornado.bench;

import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTCheckpoint;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.model.pipeline.PipelineFolder;
import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.model.tokenizer.Tokenizers;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.VectorKernels;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.tornado.TornadoAvailability;
import dev.fusedit.tornado.kernels.OnDeviceFailure;
import dev.fusedit.tornado.kernels.TornadoKernels;
import dev.fusedit.tornado.kernels.TornadoKernelsFactory;
import dev.fusedit.tornado.plan.FuseDiTGraphs;
import dev.fusedit.tornado.plan.TornadoFuseDiT;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Times one denoising step's model call of a FuseDiT pipeline folder both ways on the TornadoVM
 * device: kernel by kernel ({@link FuseDiT#velocity} on {@link TornadoKernels}) and as the
 * per-block plan ({@link TornadoFuseDiT}), interleaved, under classifier-free guidance (batch 2);
 * then counts the bytes each way moves in one step with TornadoVM's profiler.
 * <pre>java [TornadoVM flags] -cp ... dev.fusedit.tornado.bench.BlockGraphsBench [pipelineFolder [repeats]]</pre>
 * Prints medians in ms, their ratio, and bytes per step.
 */
public final class BlockGraphsBench {
    private BlockGraphsBench() {}

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "models/shapes-tiny");
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String problem = TornadoAvailability.problem();
        if (problem != null) {
            System.err.println("block-graphs-bench: no TornadoVM device: " + problem);
            System.exit(1);
        }
        PipelineFolder pipeline = PipelineFolder.open(folder);
        Tokenizer tokenizer = Tokenizers.load(pipeline.tokenizerDir());
        try (FuseDiTCheckpoint ckpt = FuseDiTCheckpoint.open(pipeline.transformerDir(), true);
             KernelPool pool = new KernelPool(Runtime.getRuntime().availableProcessors());
             GradMode ignored = GradMode.noGrad()) {
            FuseDiT model = ckpt.fuseDiT();
            int size = model.config.sampleSize(), channels = model.config.inChannels();
            Tokenizer.Batch tok = tokenizer.encodeBatch(List.of("", "a red circle left of a blue square"), pipeline.maxSequenceLength());
            Tensor ids = Tensor.zeros(DType.I64, 2, pipeline.maxSequenceLength());
            for (int b = 0; b < 2; b++)
                for (int j = 0; j < pipeline.maxSequenceLength(); j++) ids.set(tok.ids()[b][j], b, j);
            Tensor latents = new Rng(0).normal(2, channels, size, size), t = Tensor.full(DType.F32, 500.0, 2);

            for (boolean profile : new boolean[] {false, true}) {
                try (TornadoKernels kernels = TornadoKernelsFactory.open(new VectorKernels(pool), OnDeviceFailure.FAIL, profile);
                     KernelProvider.Scope scope = KernelProvider.use(kernels);
                     TornadoFuseDiT blocks = new TornadoFuseDiT(model, kernels, profile)) {
                    TextContext text = model.encodeText(ids, tok.mask());
                    Supplier<Tensor> perKernel = () -> model.velocity(latents, t, text), perBlock = () -> blocks.velocity(latents, t, text);
                    perKernel.get();
                    perBlock.get();
                    if (!profile) {
                        long[] kernelNs = new long[repeats], blockNs = new long[repeats];
                        for (int r = 0; r < repeats; r++) {
                            kernelNs[r] = time(perKernel);
                            blockNs[r] = time(perBlock);
                        }
                        double k = median(kernelNs) / 1e6, b = median(blockNs) / 1e6;
                        System.out.printf("device %s, %s, batch 2, %d steps each: per-kernel %.1f ms, per-block %.1f ms, per-kernel / per-block %.2f%n",
                                kernels.deviceDescription(), folder, repeats, k, b, k / b);
                    } else {
                        long in0 = kernels.context().bytesToDevice().get(), out0 = kernels.context().bytesToHost().get();
                        perKernel.get();
                        long kernelIn = kernels.context().bytesToDevice().get() - in0, kernelOut = kernels.context().bytesToHost().get() - out0;
                        perBlock.get();
                        FuseDiTGraphs.Transfers block = blocks.lastTransfers();
                        System.out.printf("bytes per step: per-kernel %d to the device, %d back; per-block %d to the device, %d back (%d kernel launches); latents %d%n",
                                kernelIn, kernelOut, block.toDevice(), block.toHost(), blocks.tasksPerStep(), latents.numel() * Float.BYTES);
                    }
                }
            }
        }
    }

    private static long time(Supplier<Tensor> step) {
        long start = System.nanoTime();
        step.get();
        return System.nanoTime() - start;
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }
}
