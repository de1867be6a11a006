package dev.fusedit.training.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigOverridesTest {
    private static final Path SHAPES_TINY = Path.of("../configs/shapes-tiny.yaml");
    private static final Path FILE = Path.of("run.yaml");

    private static JsonNode yaml(String text) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(text);
    }

    @Test
    void valuesAreReadAsYamlAndMissingKeysAndSectionsAreAdded() throws IOException {
        JsonNode root = yaml("trainer:\n  max_steps: 10\nmodel:\n  name: FuseDiT\n");
        JsonNode out = ConfigOverrides.apply(root, List.of("trainer.max_steps=20", "trainer.train_llm=true", "model.timestep_conditioning=null",
                "model.pos_embed = 1d-rope", "model.shared_attention_layers=[1, 2]", "ema.decay=0.9995", "trainer.run=", "data.instruction=\"Imagine: \""), FILE);
        assertThat(out.at("/trainer/max_steps").isInt()).isTrue();
        assertThat(out.at("/trainer/max_steps").asInt()).isEqualTo(20);
        assertThat(out.at("/trainer/train_llm").isBoolean()).isTrue();
        assertThat(out.at("/model/timestep_conditioning").isNull()).isTrue();
        assertThat(out.at("/model/pos_embed").asText()).isEqualTo("1d-rope");
        assertThat(out.at("/model/shared_attention_layers").toString()).isEqualTo("[1,2]");
        assertThat(out.at("/ema/decay").asDouble()).isEqualTo(0.9995);
        assertThat(out.at("/trainer/run").asText()).isEmpty();
        assertThat(out.at("/data/instruction").asText()).isEqualTo("Imagine: ");
        assertThat(out.at("/model/name").asText()).isEqualTo("FuseDiT");
        // the tree read from the file is left as it was
        assertThat(root.at("/trainer/max_steps").asInt()).isEqualTo(10);
        assertThat(root.has("ema")).isFalse();
    }

    @Test
    void theBundledRecipeWithAnAblationSet() throws IOException {
        TrainConfig c = TrainConfig.read(SHAPES_TINY, List.of("model.pos_embed=1d-rope", "trainer.logit_mean=0", "data.batch_size=32"));
        assertThat(c.model().get("pos_embed").asText()).isEqualTo("1d-rope");
        assertThat(c.trainer().logitMean()).isEqualTo(0.0);
        assertThat(c.data().batchSize()).isEqualTo(32);
        assertThat(TrainConfig.read(SHAPES_TINY).trainer().logitMean()).isEqualTo(-0.5);
    }

    @Test
    void badAssignmentsAndUnknownKeysAreNamed() {
        assertThatThrownBy(() -> TrainConfig.read(SHAPES_TINY, List.of("model.pos_embed")))
                .hasMessageContaining("--set model.pos_embed").hasMessageContaining("SECTION.KEY=VALUE");
        assertThatThrownBy(() -> TrainConfig.read(SHAPES_TINY, List.of("=3")))
                .hasMessageContaining("SECTION.KEY=VALUE");
        assertThatThrownBy(() -> TrainConfig.read(SHAPES_TINY, List.of("trainer..seed=3")))
                .hasMessageContaining("SECTION.KEY=VALUE");
        assertThatThrownBy(() -> TrainConfig.read(SHAPES_TINY, List.of("trainer.seed.x=3")))
                .hasMessageContaining("a value, not a section, at trainer.seed");
        assertThatThrownBy(() -> TrainConfig.read(SHAPES_TINY, List.of("trainer.max_step=3")))
                .hasMessageContaining("max_step");
        assertThatThrownBy(() -> TrainConfig.read(SHAPES_TINY, List.of("model.patch_sise=2")))
                .hasMessageContaining("model.patch_sise: unknown key").hasMessageContaining("patch_size");
        assertThatThrownBy(() -> TrainConfig.read(SHAPES_TINY, List.of("trainer.eval_prompts=[a, b")))
                .hasMessageContaining("not valid YAML");
    }
}
