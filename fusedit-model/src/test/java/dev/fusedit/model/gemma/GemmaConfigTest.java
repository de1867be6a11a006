package dev.fusedit.model.gemma;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GemmaConfigTest {

    @Test
    void readsTheGemma2FixtureConfig() throws IOException {
        GemmaConfig c = GemmaConfig.read(Path.of("..", "fixtures", "parity", "gemma2-llm", "transformer", "config.json"));
        assertThat(c.gemma2()).isTrue();
        assertThat(c.numHiddenLayers()).isEqualTo(3);
        assertThat(c.headDim()).isEqualTo(16);
        assertThat(c.attentionScale()).isEqualTo(1 / Math.sqrt(20));
        assertThat(c.slidingWindowOf(0)).isEqualTo(4);
        assertThat(c.slidingWindowOf(1)).isZero();
        assertThat(c.attnLogitSoftcapping()).isEqualTo(50);
    }

    @Test
    void gemma2TwoBillionHasThePublishedParameterCount() throws IOException {
        Path f = Files.createTempFile("gemma2-2b", ".json");
        Files.writeString(f, """
                {"model_type":"gemma2","vocab_size":256000,"hidden_size":2304,"intermediate_size":9216,
                 "num_hidden_layers":26,"num_attention_heads":8,"num_key_value_heads":4,"head_dim":256,
                 "query_pre_attn_scalar":256,"sliding_window":4096,"some_future_field":{"x":1}}""");
        GemmaConfig c = GemmaConfig.read(f);
        assertThat(c.parameterCount()).isEqualTo(2_614_341_888L);
        Files.delete(f);
    }

    @Test
    void missingOrWrongFieldsAreNamed() throws IOException {
        Path f = Files.createTempFile("bad", ".json");
        Files.writeString(f, "{\"model_type\":\"gemma\",\"hidden_size\":64,\"num_attention_heads\":4,\"vocab_size\":10,\"intermediate_size\":8}");
        assertThatThrownBy(() -> GemmaConfig.read(f)).hasMessageContaining("num_hidden_layers").hasMessageContaining(f.toString());
        Files.writeString(f, "{\"model_type\":\"llama\"}");
        assertThatThrownBy(() -> GemmaConfig.read(f)).hasMessageContaining("model_type");
        Files.writeString(f, "{\"model_type\":\"gemma\",\"hidden_size\":\"big\"}");
        assertThatThrownBy(() -> GemmaConfig.read(f)).hasMessageContaining("hidden_size: expected an integer");
        Files.delete(f);
    }
}
