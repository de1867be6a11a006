package dev.fusedit.cli.bench;

import dev.fusedit.layers.SyntheticWeights;
import dev.fusedit.model.gemma.GemmaCheckpoint;
import dev.fusedit.model.gemma.GemmaConfig;
import dev.fusedit.model.gemma.GemmaModel;
import dev.fusedit.model.gemma.TextGenerator;
import dev.fusedit.tensor.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gemma-2 2B at its real size with synthetic BF16 weights: load by mmap, prefill a prompt,
 * decode tokens with the KV cache, and compare decoding with the memory-bandwidth limit
 * (all weight bytes are read once per decoded token; the limit uses the copy bandwidth counted as
 * bytes read + written, the way STREAM-style copy benchmarks count a copy).
 */
public final class GemmaBenchmark {
    private GemmaBenchmark() {}

    /** The published google/gemma-2-2b config.json (docs/reference.md#gemma-2-text-stream). */
    static final String GEMMA2_2B_CONFIG = """
            {"architectures":["Gemma2ForCausalLM"],"model_type":"gemma2","vocab_size":256000,"hidden_size":2304,
             "intermediate_size":9216,"num_hidden_layers":26,"num_attention_heads":8,"num_key_value_heads":4,"head_dim":256,
             "max_position_embeddings":8192,"rope_theta":10000.0,"rms_norm_eps":1e-06,"attn_logit_softcapping":50.0,
             "final_logit_softcapping":30.0,"query_pre_attn_scalar":256,"sliding_window":4096,"hidden_activation":"gelu_pytorch_tanh",
             "attention_bias":false,"pad_token_id":0,"eos_token_id":1,"bos_token_id":2,"torch_dtype":"bfloat16"}
            """;

    public record Result(long weightBytes, double loadSeconds, double prefillTokensPerSecond, double decodeTokensPerSecond,
                         double bandwidthBytesPerSecond, double decodeLimitTokensPerSecond, long peakRssBytes) {}

    /** Writes config.json and a synthetic BF16 model.safetensors into dir unless they exist. */
    public static void prepare(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("config.json");
        if (!Files.exists(config)) Files.writeString(config, GEMMA2_2B_CONFIG);
        Path weights = dir.resolve("model.safetensors");
        if (Files.exists(weights)) return;
        System.err.println("writing synthetic BF16 Gemma-2 2B weights to " + weights + " (about 5.2 GB, once)...");
        SyntheticWeights.write(weights, new GemmaModel(GemmaConfig.read(config)), "model.", DType.BF16, 1, 0.02);
    }

    public static Result run(Path dir, int promptTokens, int decodeTokens) throws IOException {
        double bandwidth = MachineFacts.copyBandwidth(Runtime.getRuntime().availableProcessors());
        System.gc();
        MachineFacts.resetPeakRss();
        long t0 = System.nanoTime();
        try (GemmaCheckpoint ckpt = GemmaCheckpoint.open(dir)) {
            double load = (System.nanoTime() - t0) / 1e9;
            long weightBytes = 0;
            for (String name : ckpt.weights().names()) weightBytes += ckpt.weights().info(name).byteSize();
            int[] prompt = new int[promptTokens];
            prompt[0] = 2;
            for (int i = 1; i < promptTokens; i++) prompt[i] = 1000 + (i * 7919) % 200000;
            long[] stamps = new long[decodeTokens + 1];
            int[] n = {0};
            long start = System.nanoTime();
            new TextGenerator(ckpt.model()).generate(prompt, new TextGenerator.Options(decodeTokens + 1, 0, 1, 0), id -> {
                stamps[n[0]++] = System.nanoTime();
                return true;
            });
            double prefill = promptTokens / ((stamps[0] - start) / 1e9);
            double decode = decodeTokens / ((stamps[decodeTokens] - stamps[0]) / 1e9);
            return new Result(weightBytes, load, prefill, decode, bandwidth, bandwidth / weightBytes, MachineFacts.peakRss());
        }
    }
}
