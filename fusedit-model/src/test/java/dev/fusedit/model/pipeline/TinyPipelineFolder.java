package dev.fusedit.model.pipeline;

import dev.fusedit.layers.Parameter;
import dev.fusedit.layers.StateDict;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTConfig;
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

    static Path write(Path dir, long weightSeed) throws IOException {
        Path transformer = Files.createDirectories(dir.resolve("transformer"));
        Files.writeString(transformer.resolve("config.json"), """
                {"model_type": "FuseDiT",
                 "base_config": {"model_type": "gemma2", "vocab_size": 10, "hidden_size": 32, "intermediate_size": 64,
                   "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16,
                   "query_pre_attn_scalar": 16},
                 "attention": "self", "pos_embed": "2d-rope", "timestep_conditioning": null, "qk_norm": true,
                 "sandwich_norm": true, "shared_attention_layers": "all", "dit_num_hidden_layers": 2, "patch_size": 4,
                 "in_channels": 3, "out_channels": 3, "sample_size": %d}
                """.formatted(SIZE));
        FuseDiT model = new FuseDiT(FuseDiTConfig.read(transformer.resolve("config.json")));
        Rng rng = new Rng(weightSeed);
        for (Parameter p : model.namedParameters().values()) p.set(Pointwise.mul(rng.normal(p.shape()), 0.3));
        StateDict.save(model, "", transformer.resolve("diffusion_pytorch_model.safetensors"));

        Path scheduler = Files.createDirectories(dir.resolve("scheduler"));
        Files.writeString(scheduler.resolve("scheduler_config.json"),
                "{\"_class_name\": \"FlowMatchEulerDiscreteScheduler\", \"num_train_timesteps\": 1000, \"shift\": 3.0}");
        Path tokenizer = Files.createDirectories(dir.resolve("tokenizer"));
        WordLevelTokenizer.create(WORDS).save(tokenizer.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("model_index.json"), """
                {"_class_name": "FuseDiTPipeline", "_diffusers_version": "0.32.0",
                 "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
                 "tokenizer": ["transformers", "PreTrainedTokenizerFast"],
                 "transformer": ["diffusion.models", "FuseDiT"],
                 "max_sequence_length": %d}
                """.formatted(MAX_LENGTH));
        return dir;
    }
}
