package dev.fusedit.model.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryFitTest {
    @TempDir
    Path dir;

    @Test
    void aModelWhoseWeightsExceedTheMachineIsRefusedBeforeAnyIsRead() throws IOException {
        Path model = TinyPipelineFolder.write(dir.resolve("model"), 3);
        // a sparse file: it claims twice the machine's memory and holds no valid safetensors, so only a check that comes first passes it by
        try (RandomAccessFile f = new RandomAccessFile(model.resolve("transformer/model-00002-of-00002.safetensors").toFile(), "rw")) {
            f.setLength(2 * MemoryFit.available());
        }
        assertThatThrownBy(() -> FuseDiTPipeline.load(model)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the model in " + model).hasMessageContaining("needs at least")
                .hasMessageContaining(MemoryFit.gib(MemoryFit.available()) + " (physical memory)");
    }

    @Test
    void aBatchAndSizeThatCannotFitAreRefusedBeforeDenoising() throws IOException {
        try (FuseDiTPipeline pipe = FuseDiTPipeline.load(TinyPipelineFolder.write(dir.resolve("model"), 4))) {
            int side = pipe.sizeMultiple() * 4096;
            long[] steps = {0};
            SampleOptions opts = SampleOptions.defaults().withSteps(2).withGuidance(4.0).withSize(side, side).withImagesPerPrompt(64)
                    .withListener(new SamplingListener() {
                        @Override
                        public void onStep(int done, int total) {
                            steps[0]++;
                        }
                    });
            assertThatThrownBy(() -> pipe.generate(List.of("a red circle"), opts)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sampling 64 images of " + side + "x" + side + " in one batch needs at least");
            assertThat(steps[0]).as("no denoising step ran").isZero();
            // the same model at its own size passes the check
            assertThat(pipe.generate(List.of("a red circle"), SampleOptions.defaults().withSteps(1))).hasSize(1);
        }
    }
}
