package dev.fusedit.cli;

import dev.fusedit.layers.Module;
import dev.fusedit.layers.Parameter;
import dev.fusedit.model.gemma.GemmaCheckpoint;
import dev.fusedit.model.gemma.GemmaConfig;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.io.TensorInfo;
import dev.fusedit.model.fusedit.DiT;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.fusedit.ModelSection;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Summarizes a Gemma model folder (configuration, parameters per module, dtypes and bytes) or
 * a FuseDiT / DiT training config's model section (parameter counts from the module tree,
 * which declares shapes only: no weights are allocated or read).
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a model's configuration, parameter counts per module, dtype and size.")
final class InspectCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--model", required = true, description = "HF Gemma model folder (config.json + safetensors)")
        Path model;

        @Option(names = "--config", required = true, description = "training YAML whose model section describes a FuseDiT or DiT (e.g. configs/fusedit/large-scale.yaml)")
        Path config;
    }

    @Override
    public Integer call() throws Exception {
        if (source.config != null) return inspectConfig(source.config);
        Path model = source.model;
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

    private static int inspectConfig(Path file) throws Exception {
        FuseDiTConfig c = ModelSection.read(file);
        GemmaConfig b = c.base();
        boolean fused = c.modelType() == FuseDiTConfig.ModelType.FUSEDIT;
        System.out.printf("config     %s%n", file);
        System.out.printf("model      %s, base %s: %d layers, hidden %d, heads %d / kv %d, head_dim %d, vocab %d%n",
                fused ? "FuseDiT" : "DiT", b.gemma2() ? "gemma2" : "gemma", b.numHiddenLayers(), b.hiddenSize(), b.numAttentionHeads(),
                b.numKeyValueHeads(), b.headDim(), b.vocabSize());
        System.out.printf("variant    attention %s, pos_embed %s, timestep_conditioning %s, qk_norm %s, sandwich_norm %s%n",
                name(c.attention()), name(c.posEmbed()), name(c.timestepConditioning()), c.qkNorm(), c.sandwichNorm());
        if (c.longSkips() || c.outputConv())
            System.out.printf("departures long_skips %s, output_conv %s (this project's, not the paper's: docs/reference.md#departures)%n",
                    c.longSkips(), c.outputConv());
        System.out.printf("dit        %d layers, hidden %d, patch %d, channels %d -> %d%s%n", c.ditNumHiddenLayers(), c.ditHiddenSize(),
                c.patchSize(), c.inChannels(), c.outChannels(), fused && c.initialLayers() > 0 ? ", after " + c.initialLayers() + " text-only layers" : "");
        System.out.println();
        System.out.printf("%-34s %16s%n", "module", "parameters");
        if (fused) {
            FuseDiT model = new FuseDiT(c);
            System.out.printf("%-34s %,16d%n", "dit (DiT stream, trainable)", model.dit.parameterCount());
            System.out.printf("%-34s %,16d%n", "llm (text stream, frozen)", model.llm.parameterCount());
            System.out.printf("%-34s %,16d%n", "total", model.parameterCount());
        } else {
            DiT model = new DiT(c);
            System.out.printf("%-34s %,16d%n", "DiT (trainable)", model.parameterCount());
            System.out.printf("%-34s %,16d%n", "text encoder (frozen, separate)", b.parameterCount());
        }
        return 0;
    }

    /** The config spelling of an enum value (SELF -> self, ROPE_2D -> 2d-rope, NONE -> null). */
    private static String name(Enum<?> e) {
        return switch (e.name()) {
            case "NONE" -> "null";
            case "ROPE_1D" -> "1d-rope";
            case "ROPE_2D" -> "2d-rope";
            default -> e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        };
    }
}
