package dev.fusedit.training;

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
        for (String name : new String[] {"shapes-tiny.yaml", "shapes-tiny-frozen-text.yaml", "shapes-tiny-p2.yaml", "shapes-tiny-joint-cosine.yaml"}) {
            TrainConfig c = read(name);
            assertThat(NextTokenObjective.handles(c)).as(name).isFalse();
            assertThat(c.trainer().evalSteps()).as(name).isPositive();
        }
        assertThat(read("shapes-tiny-frozen-text.yaml").trainer().trainLlm()).isFalse();
        assertThat(read("shapes-tiny-p2.yaml").model().path("patch_size").asInt()).isEqualTo(2);
        assertThat(read("shapes-tiny-joint-cosine.yaml").lrScheduler().name()).isEqualTo("cosine");
    }
}
