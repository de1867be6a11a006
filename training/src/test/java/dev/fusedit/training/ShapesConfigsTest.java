package dev.fusedit.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.fusedit.ModelSection;
import dev.fusedit.training.config.TrainConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The shapes recipes in configs/ read without unknown keys and select the objective their comments promise. */
class ShapesConfigsTest {
    private static TrainConfig read(String name) throws IOException {
        TrainConfig c = TrainConfig.read(Path.of("../configs").resolve(name));
        assertThat(c.ignoredKeys()).as(name).isEmpty();
        return c;
    }

    @Test
    void textStreamPretrainingIsANextTokenRunWithoutCaptionDropout() throws IOException {
        TrainConfig c = read("shapes-text-stream.yaml");
        assertThat(NextTokenObjective.handles(c)).isTrue();
        assertThat(c.data().randomDroppingRate()).isZero();
    }

    @Test
    void theFuseDiTRecipesAreFlowMatchingRunsWithEvalGrids() throws IOException {
        for (String name : new String[] {"shapes-tiny.yaml", "shapes-tiny-wide.yaml", "shapes-tiny-frozen-text.yaml", "shapes-tiny-p2.yaml", "shapes-tiny-joint-cosine.yaml"}) {
            TrainConfig c = read(name);
            assertThat(NextTokenObjective.handles(c)).as(name).isFalse();
            assertThat(c.trainer().evalSteps()).as(name).isPositive();
        }
        assertThat(read("shapes-tiny-frozen-text.yaml").trainer().trainLlm()).isFalse();
        assertThat(read("shapes-tiny-p2.yaml").model().path("patch_size").asInt()).isEqualTo(2);
        assertThat(read("shapes-tiny-joint-cosine.yaml").lrScheduler().name()).isEqualTo("cosine");
    }

    @Test
    void theBundledModelIsTheModelOfShapesTinyYaml() throws IOException {
        Path config = Path.of("../configs/shapes-tiny.yaml");
        JsonNode root = ConfigFiles.readYaml(config);
        // model.base is relative to the checkout's root, where fusedit runs; tests run in training/
        ObjectNode model = (ObjectNode) root.get("model");
        model.put("base", "../" + model.get("base").asText());
        JsonNode expected = ModelSection.transformerConfig(new ConfigReader(config, "", root).object("model"), config);
        JsonNode bundled = new ObjectMapper().readTree(Path.of("../models/shapes-tiny/transformer/config.json").toFile());
        assertThat(bundled).isEqualTo(expected);
    }
}
