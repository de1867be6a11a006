package dev.fusedit.model.pipeline;

import dev.fusedit.layers.Parameter;
import dev.fusedit.layers.StateDict;
import dev.fusedit.layers.Module;
import dev.fusedit.model.fusedit.DiT;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.gemma.GemmaConfig;
import dev.fusedit.model.gemma.GemmaModel;
import dev.fusedit.model.tokenizer.WordLevelTokenizer;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.tensor.ops.Pointwise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a pipeline folder of a tiny pixel-space FuseDiT with random weights (16×16 RGB, patch 4,
 * a six-word vocabulary, prompts padded to {@link #MAX_LENGTH} tokens), the layout
 * {@code fusedit train} writes.
 */
final class TinyPipelineFolder {
    static final int MAX_LENGTH = 6, SIZE = 16;
    static final List<String> WORDS = List.of("a", "red", "blue", "circle", "square", "two");

    private TinyPipelineFolder() {}

    private static final String TEXT_CONFIG = """
            {"model_type": "gemma2", "vocab_size": 10, "hidden_size": 32, "intermediate_size": 64,
             "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16,
             "query_pre_attn_scalar": 16}""";

    /** A pixel-space FuseDiT folder (self attention, 2D RoPE, no timestep conditioning, as the final recipe). */
    static Path write(Path dir, long weightSeed) throws IOException {
        return write(dir, weightSeed, 3, 4);
    }

    /**
     * A latent-space FuseDiT folder: the small VAE of fixtures/vae/c4_b16x32_l1_6x10 (4 latent
     * channels, downsampling factor 2) in vae/, a transformer on 4 channels with patch size 2.
     */
    static Path writeWithVae(Path dir, long weightSeed) throws IOException {
        write(dir, weightSeed, 4, 2);
        Path source = Path.of("..", "fixtures", "vae", "c4_b16x32_l1_6x10", "vae");
        Path vae = Files.createDirectories(dir.resolve("vae"));
        for (String f : new String[] {"config.json", "diffusion_pytorch_model.safetensors"}) Files.copy(source.resolve(f), vae.resolve(f));
        Path index = dir.resolve("model_index.json");
        Files.writeString(index, Files.readString(index).replace("\"scheduler\":", "\"vae\": [\"diffusers\", \"AutoencoderKL\"],\n \"scheduler\":"));
        return dir;
    }

    private static Path write(Path dir, long weightSeed, int channels, int patch) throws IOException {
        Path transformer = Files.createDirectories(dir.resolve("transformer"));
        Files.writeString(transformer.resolve("config.json"), """
                {"model_type": "FuseDiT", "base_config": %s,
                 "attention": "self", "pos_embed": "2d-rope", "timestep_conditioning": null, "qk_norm": true,
                 "sandwich_norm": true, "shared_attention_layers": "all", "dit_num_hidden_layers": 2, "patch_size": %d,
                 "in_channels": %d, "out_channels": %d, "sample_size": %d}
                """.formatted(TEXT_CONFIG, patch, channels, channels, SIZE / (channels == 3 ? 1 : 2)));
        FuseDiT model = new FuseDiT(FuseDiTConfig.read(transformer.resolve("config.json")));
        Rng rng = new Rng(weightSeed);
        randomize(model, rng);
        StateDict.save(model, "", transformer.resolve("diffusion_pytorch_model.safetensors"));
        writeCommon(dir, "FuseDiT");
        return dir;
    }

    /** A shallow DiT folder (APE, adaLN-Zero) with its Gemma-2 text encoder in text_encoder/. */
    static Path writeDiT(Path dir, long weightSeed) throws IOException {
        Path transformer = Files.createDirectories(dir.resolve("transformer"));
        Files.writeString(transformer.resolve("config.json"), """
                {"model_type": "DiT", "base_config": %s, "attention": "self", "pos_embed": "ape", "pos_embed_max_size": 8,
                 "timestep_conditioning": "adaln-zero", "qk_norm": true, "dit_hidden_size": 32, "dit_num_hidden_layers": 2,
                 "patch_size": 4, "in_channels": 3, "out_channels": 3, "sample_size": %d, "text_hidden_size": 32}
                """.formatted(TEXT_CONFIG, SIZE));
        Rng rng = new Rng(weightSeed);
        DiT model = new DiT(FuseDiTConfig.read(transformer.resolve("config.json")));
        randomize(model, rng);
        StateDict.save(model, "", transformer.resolve("diffusion_pytorch_model.safetensors"));
        Path text = Files.createDirectories(dir.resolve("text_encoder"));
        Files.writeString(text.resolve("config.json"), TEXT_CONFIG);
        GemmaModel encoder = new GemmaModel(GemmaConfig.read(text.resolve("config.json")));
        randomize(encoder, rng);
        StateDict.save(encoder, "model.", text.resolve("model.safetensors"));
        writeCommon(dir, "DiT");
        return dir;
    }

    private static void randomize(Module m, Rng rng) {
        for (Parameter p : m.namedParameters().values()) p.set(Pointwise.mul(rng.normal(p.shape()), 0.3));
    }

    private static void writeCommon(Path dir, String transformerClass) throws IOException {

        Path scheduler = Files.createDirectories(dir.resolve("scheduler"));
        Files.writeString(scheduler.resolve("scheduler_config.json"),
                "{\"_class_name\": \"FlowMatchEulerDiscreteScheduler\", \"num_train_timesteps\": 1000, \"shift\": 3.0}");
        Path tokenizer = Files.createDirectories(dir.resolve("tokenizer"));
        WordLevelTokenizer.create(WORDS).save(tokenizer.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("model_index.json"), """
                {"_class_name": "FuseDiTPipeline", "_diffusers_version": "0.32.0",
                 "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
                 "tokenizer": ["transformers", "PreTrainedTokenizerFast"],
                 "transformer": ["diffusion.models", "%s"],
                 "max_sequence_length": %d}
                """.formatted(transformerClass, MAX_LENGTH));
    }
}
