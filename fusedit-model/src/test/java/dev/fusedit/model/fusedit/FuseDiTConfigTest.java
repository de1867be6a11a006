package dev.fusedit.model.fusedit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FuseDiTConfigTest {
    static final Path FIXTURES = Path.of("..", "fixtures", "parity");

    @TempDir
    Path dir;

    @Test
    void readsTheFinalRecipe() throws IOException {
        FuseDiTConfig c = FuseDiTConfig.read(FIXTURES.resolve("final/transformer/config.json"));
        assertThat(c.modelType()).isEqualTo(FuseDiTConfig.ModelType.FUSEDIT);
        assertThat(c.base().gemma2()).isTrue();
        assertThat(c.attention()).isEqualTo(FuseDiTConfig.AttentionKind.SELF);
        assertThat(c.posEmbed()).isEqualTo(FuseDiTConfig.PosEmbed.ROPE_2D);
        assertThat(c.timestepConditioning()).isEqualTo(FuseDiTConfig.TimestepConditioning.NONE);
        assertThat(c.qkNorm()).isTrue();
        assertThat(c.sandwichNorm()).isTrue();
        assertThat(c.sharedAttentionLayers()).isNull();
        assertThat(c.ditHiddenSize()).isEqualTo(64);
        assertThat(c.inChannels()).isEqualTo(4);
    }

    @Test
    void readsTheVariants() throws IOException {
        FuseDiTConfig single = FuseDiTConfig.read(FIXTURES.resolve("rope-1d-adaln-single/transformer/config.json"));
        assertThat(single.timestepConditioning()).isEqualTo(FuseDiTConfig.TimestepConditioning.ADALN_SINGLE);
        assertThat(single.posEmbed()).isEqualTo(FuseDiTConfig.PosEmbed.ROPE_1D);
        FuseDiTConfig width = FuseDiTConfig.read(FIXTURES.resolve("dit-width/transformer/config.json"));
        assertThat(width.ditHiddenSize()).isEqualTo(48);
        assertThat(width.base().hiddenSize()).isEqualTo(64);
        FuseDiTConfig shallow = FuseDiTConfig.read(FIXTURES.resolve("dit-cross/transformer/config.json"));
        assertThat(shallow.modelType()).isEqualTo(FuseDiTConfig.ModelType.DIT);
        assertThat(shallow.attention()).isEqualTo(FuseDiTConfig.AttentionKind.CROSS);
    }

    @Test
    void absentTimestepConditioningIsTheDefaultAdaLnZeroButNullIsNone() throws IOException {
        assertThat(read(n -> n.remove("timestep_conditioning")).timestepConditioning()).isEqualTo(FuseDiTConfig.TimestepConditioning.ADALN_ZERO);
        assertThat(read(n -> n.putNull("timestep_conditioning")).timestepConditioning()).isEqualTo(FuseDiTConfig.TimestepConditioning.NONE);
    }

    @Test
    void badValuesAreReportedByFieldName() {
        assertThatThrownBy(() -> read(n -> n.put("pos_embed", "3d-rope"))).hasMessageContaining("pos_embed").hasMessageContaining("3d-rope");
        assertThatThrownBy(() -> read(n -> n.put("attention", "joint"))).hasMessageContaining("attention");
        assertThatThrownBy(() -> read(n -> n.put("timestep_conditioning", "film"))).hasMessageContaining("timestep_conditioning");
        assertThatThrownBy(() -> read(n -> n.put("model_type", "UNet"))).hasMessageContaining("model_type");
        assertThatThrownBy(() -> read(n -> n.put("dit_num_hidden_layers", 3))).hasMessageContaining("dit_num_hidden_layers");
        assertThatThrownBy(() -> read(n -> n.putArray("shared_attention_layers").add(1))).hasMessageContaining("shared_attention_layers");
        assertThatThrownBy(() -> read(n -> n.put("patch_size", "two"))).hasMessageContaining("patch_size");
        assertThatThrownBy(() -> read(n -> n.remove("base_config"))).hasMessageContaining("base_config");
        assertThatThrownBy(() -> read(n -> ((ObjectNode) n.get("base_config")).remove("hidden_size"))).hasMessageContaining("base_config.hidden_size");
    }

    @Test
    void anExplicitListOfAllSharedLayersIsAccepted() throws IOException {
        assertThat(read(n -> n.putArray("shared_attention_layers").add(0).add(1)).sharedAttentionLayers()).containsExactly(0, 1);
    }

    private FuseDiTConfig read(Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = (ObjectNode) json.readTree(FIXTURES.resolve("final/transformer/config.json").toFile());
        edit.accept(node);
        Path f = dir.resolve("config.json");
        Files.writeString(f, json.writeValueAsString(node));
        return FuseDiTConfig.read(f);
    }
}
