package dev.fusedit.cli.bench;

import dev.fusedit.layers.SyntheticWeights;
import dev.fusedit.model.pipeline.PipelineFolder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTCheckpoint;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.model.fusedit.ModelSection;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.MatmulShape;
import dev.fusedit.tensor.random.Rng;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One denoising forward of a real-size FuseDiT (synthetic BF16 weights, memory-mapped): batch 2
 * as with classifier-free guidance, text encoded once, then the DiT stream timed per step and
 * compared with its floor, the step's FLOPs at our measured GEMM rate.
 */
public final class FuseDiTBenchmark {
    private FuseDiTBenchmark() {}

    public record Result(long weightBytes, double loadSeconds, double textSeconds, double secondsPerStep, double stepFlops,
                         double gemmFlopsPerSecond, long peakRssBytes) {
        public double floorSeconds() {
            return stepFlops / gemmFlopsPerSecond;
        }
    }

    /** transformer/config.json from a training YAML's model section, and synthetic BF16 weights, unless present. */
    public static void prepare(Path yaml, Path dir) throws IOException {
        Path transformer = Files.createDirectories(dir.resolve("transformer"));
        Path config = transformer.resolve("config.json");
        if (!Files.exists(config)) {
            ObjectMapper json = new ObjectMapper();
            var root = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yaml.toFile());
            ObjectNode cfg = ModelSection.transformerConfig(new ConfigReader(yaml, "", root).object("model"), yaml);
            Files.writeString(config, json.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
        }
        Path weights = transformer.resolve(PipelineFolder.WEIGHTS_FILE);
        if (Files.exists(weights)) return;
        FuseDiTConfig c = FuseDiTConfig.read(config);
        System.err.printf("writing synthetic BF16 weights for %s to %s (once)...%n", yaml.getFileName(), weights);
        SyntheticWeights.write(weights, new FuseDiT(c), "", DType.BF16, 2, 0.02);
    }

    /** FLOPs of one DiT-stream forward: projections, MLPs and attention of every layer (multiply-add = 2). */
    static double stepFlops(FuseDiTConfig c, int batch, int imageTokens, int textTokens) {
        var b = c.base();
        double h = c.ditHiddenSize(), q = (double) b.numAttentionHeads() * b.headDim(), kv = (double) b.numKeyValueHeads() * b.headDim();
        double tokens = (double) batch * imageTokens;
        double projections = 2 * tokens * (h * q + 2 * h * kv + q * h);
        double mlp = 2 * tokens * 3 * h * b.intermediateSize();
        double attention = 4.0 * batch * b.numAttentionHeads() * imageTokens * (double) (imageTokens + textTokens) * b.headDim();
        return c.ditNumHiddenLayers() * (projections + mlp + attention);
    }

    public static Result run(Path dir, int resolution, int textTokens, int steps) throws IOException {
        System.gc();
        MachineFacts.resetPeakRss();
        long t0 = System.nanoTime();
        try (FuseDiTCheckpoint ckpt = FuseDiTCheckpoint.open(dir.resolve("transformer"), true);
             GradMode ignored = GradMode.noGrad()) {
            double load = (System.nanoTime() - t0) / 1e9;
            long weightBytes = 0;
            for (String name : ckpt.weights().names()) weightBytes += ckpt.weights().info(name).byteSize();
            FuseDiT model = ckpt.fuseDiT();
            FuseDiTConfig c = ckpt.config();
            int latent = resolution / 8, batch = 2;
            Tensor ids = Tensor.zeros(DType.I64, batch, textTokens);
            int[][] mask = new int[batch][textTokens];
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < textTokens; j++) {
                    ids.set(j == 0 ? 2 : 1000 + (j * 7919 + b) % 200000, b, j);
                    mask[b][j] = 1;
                }
            long t1 = System.nanoTime();
            TextContext text = model.encodeText(ids, mask);
            double textSeconds = (System.nanoTime() - t1) / 1e9;
            Tensor x = new Rng(0).normal(batch, c.inChannels(), latent, latent);
            Tensor timestep = Tensor.full(DType.F32, 500, batch);
            double best = Double.MAX_VALUE;
            for (int s = 0; s < steps; s++) {
                try (MemoryScope step = MemoryScope.open()) {
                    long ts = System.nanoTime();
                    model.velocity(x, timestep, text);
                    best = Math.min(best, (System.nanoTime() - ts) / 1e9);
                }
            }
            int imageTokens = (latent / c.patchSize()) * (latent / c.patchSize());
            double flops = stepFlops(c, batch, imageTokens, textTokens);
            double rate = GemmRate.measure(batch * imageTokens, c.base().intermediateSize(), c.ditHiddenSize());
            return new Result(weightBytes, load, textSeconds, best, flops, rate, MachineFacts.peakRss());
        }
    }
}
