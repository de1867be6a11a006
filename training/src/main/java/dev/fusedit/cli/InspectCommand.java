package dev.fusedit.cli;

import dev.fusedit.layers.Module;
import dev.fusedit.layers.Parameter;
import dev.fusedit.model.gemma.GemmaCheckpoint;
import dev.fusedit.model.gemma.GemmaConfig;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.io.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** Summarizes a model folder: configuration, parameters per module, dtypes and bytes. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a model's configuration, parameter counts per module, dtype and size.")
final class InspectCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "HF model folder (config.json + safetensors)")
    Path model;

    @Override
    public Integer call() throws Exception {
        try (GemmaCheckpoint ckpt = GemmaCheckpoint.open(model)) {
            GemmaConfig c = ckpt.model().config;
            System.out.printf("model      %s (%s)%n", model, c.gemma2() ? "gemma2" : "gemma");
            System.out.printf("layers     %d, hidden %d, intermediate %d, heads %d / kv %d, head_dim %d, vocab %d%n",
                    c.numHiddenLayers(), c.hiddenSize(), c.intermediateSize(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.vocabSize());
            if (c.gemma2())
                System.out.printf("gemma2     attn soft-cap %.1f, final soft-cap %.1f, sliding window %d, query_pre_attn_scalar %.0f%n",
                        c.attnLogitSoftcapping(), c.finalLogitSoftcapping(), c.slidingWindow(), c.queryPreAttnScalar());
            System.out.println();
            System.out.printf("%-22s %16s%n", "module", "parameters");
            for (Map.Entry<String, Module> e : ckpt.model().namedChildren().entrySet())
                System.out.printf("%-22s %,16d%n", e.getKey(), e.getValue().parameterCount());
            System.out.printf("%-22s %,16d%n", "total", ckpt.model().parameterCount());
            Map<DType, long[]> byType = new TreeMap<>();
            String prefix = ckpt.weights().contains("model.embed_tokens.weight") ? "model." : "";
            for (Map.Entry<String, Parameter> e : ckpt.model().namedParameters().entrySet()) {
                TensorInfo info = ckpt.weights().info(prefix + e.getKey());
                long[] acc = byType.computeIfAbsent(info.dtype(), k -> new long[2]);
                acc[0]++;
                acc[1] += info.byteSize();
            }
            System.out.println();
            byType.forEach((t, acc) -> System.out.printf("dtype      %s: %d tensors, %,d bytes (%.2f GiB)%n", t, acc[0], acc[1], acc[1] / (double) (1L << 30)));
        }
        return 0;
    }
}
