package dev.fusedit.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A training YAML for a model small enough to train in a test: a 2-layer, 32-wide Gemma-2 text
 * stream and a 2-layer final-recipe FuseDiT on the shapes world (patch 8, so 16 image tokens).
 * Tests choose the trainer and EMA sections and the batch, or the whole data section.
 */
public final class TinyTrainingConfig {
    private TinyTrainingConfig() {}

    /**
     * Writes dir/text.json and dir/tiny.yaml and returns the YAML's path.
     * @param trainer the lines of the trainer section (indented by two spaces), e.g. "  max_steps: 6\n"
     * @param ema     the whole ema section, or "" for no EMA
     */
    public static Path write(Path dir, String trainer, String ema, int batchSize, int maxPromptLength) throws IOException {
        return write(dir, trainer, ema, """
                data:
                  source: "shapes"
                  batch_size: %d
                  max_prompt_length: %d
                """.formatted(batchSize, maxPromptLength));
    }

    /** The same model with a whole data section of the caller's (for example webdataset shards). */
    public static Path write(Path dir, String trainer, String ema, String data) throws IOException {
        Path text = writeTextConfig(dir);
        return Files.writeString(dir.resolve("tiny.yaml"), "trainer:\n" + trainer + """
                model:
                  name: "FuseDiT"
                  base: "%s"
                  attention: "self"
                  pos_embed: "2d-rope"
                  timestep_conditioning: null
                  qk_norm: true
                  sandwich_norm: true
                  shared_attention_layers: "all"
                  dit_num_hidden_layers: 2
                  patch_size: 8
                  in_channels: 3
                  out_channels: 3
                  sample_size: 32
                """.formatted(text.toString().replace("\\", "/")) + ema + """
                optimizer:
                  lr: 1.0e-3
                  weight_decay: 1.0e-4
                """ + data);
    }

    /** dir/text.json: the tiny text stream's Gemma-2 config. */
    static Path writeTextConfig(Path dir) throws IOException {
        return Files.writeString(dir.resolve("text.json"), """
                {"model_type":"gemma2","vocab_size":32,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,
                 "num_attention_heads":2,"num_key_value_heads":1,"head_dim":16,"query_pre_attn_scalar":16}""");
    }

    /** dir/llm.yaml: next-token pretraining of the tiny text stream on shapes captions (no caption dropout). */
    public static Path writeTextStream(Path dir, String trainer, int batchSize, int maxPromptLength) throws IOException {
        Path text = writeTextConfig(dir);
        return Files.writeString(dir.resolve("llm.yaml"), "trainer:\n" + trainer + """
                model:
                  name: "Gemma2ForCausalLM"
                  base: "%s"
                optimizer:
                  lr: 3.0e-3
                  weight_decay: 0.0
                data:
                  source: "shapes"
                  batch_size: %d
                  max_prompt_length: %d
                  random_dropping_rate: 0.0
                """.formatted(text.toString().replace("\\", "/"), batchSize, maxPromptLength));
    }
}
