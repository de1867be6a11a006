package dev.fusedit.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.layers.StateDict;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.gemma.GemmaConfig;
import dev.fusedit.model.gemma.GemmaModel;
import dev.fusedit.model.tokenizer.Tokenizers;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.progress.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Next-token pretraining of a text stream (model.name *ForCausalLM) and its use as a FuseDiT's frozen text stream. */
class TextStreamPretrainingTest {
    @TempDir
    Path dir;

    @Test
    void learnsTheCaptionLanguageAndWritesAnHfCausalLmFolderThatFuseDiTLoads() throws IOException {
        Path llmConfig = TinyTrainingConfig.writeTextStream(dir, """
                  max_steps: 40
                  checkpointing_steps: 40
                  logging_steps: 1
                  seed: 3
                """, 32, 10);
        Path run = dir.resolve("llm");
        try (Trainer t = new Trainer(TrainConfig.read(llmConfig), run, 40, 1, null)) {
            assertThat(t.model()).isInstanceOf(GemmaModel.class);
            t.train();
        }
        List<JsonNode> metrics = MetricsLog.read(run.resolve("metrics.jsonl"));
        // uniform guessing over the 32-token vocabulary costs ln 32 ≈ 3.47 nats; captions are far more predictable
        assertThat(metrics.getFirst().get("loss").asDouble()).isGreaterThan(2.5);
        assertThat(metrics.getLast().get("loss").asDouble()).isLessThan(1.8);

        Path checkpoint = run.resolve("checkpoints/step-0000040");
        assertThat(GemmaConfig.read(checkpoint.resolve("config.json")).numHiddenLayers()).isEqualTo(2);
        assertThat(Tokenizers.load(checkpoint.resolve("tokenizer.json")).vocabSize()).isGreaterThan(20);

        // a FuseDiT run with trainer.text_model starts from exactly those weights
        Path fuseConfig = TinyTrainingConfig.write(dir, """
                  max_steps: 1
                  checkpointing_steps: 1
                  train_llm: false
                  text_model: "%s"
                """.formatted(checkpoint.toString().replace("\\", "/")), "", 2, 10);
        try (Trainer t = new Trainer(TrainConfig.read(fuseConfig), dir.resolve("dit"), 1, 1, null);
             TensorSource saved = TensorSource.open(checkpoint)) {
            FuseDiT model = (FuseDiT) t.model();
            Tensor layer1 = model.llm.namedParameters().get("layers.1.mlp.down_proj.weight").get();
            assertThat(layer1.toFloatArray()).containsExactly(saved.get("model.layers.1.mlp.down_proj.weight").toFloatArray());
            assertThat(StateDict.tensors(model.llm, "").keySet()).allMatch(k -> saved.contains("model." + k));
        }
    }
}
