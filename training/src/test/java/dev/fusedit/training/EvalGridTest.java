package dev.fusedit.training;

import dev.fusedit.training.config.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** trainer.eval_steps: a grid of the eval prompts sampled from each such checkpoint. */
class EvalGridTest {
    @TempDir
    Path dir;

    @Test
    void evalStepsWriteASampleGridPerEvalCheckpoint() throws IOException {
        Path config = TinyTrainingConfig.write(dir, """
                  max_steps: 4
                  checkpointing_steps: 2
                  eval_steps: 4
                  eval_prompts: ["a red circle", "two squares", "a blue triangle"]
                """, "", 2, 10);
        Path run = dir.resolve("run");
        try (Trainer t = new Trainer(TrainConfig.read(config), run, 4, 1, null)) {
            t.train();
        }
        assertThat(run.resolve("samples/step-0000002.png")).doesNotExist();
        BufferedImage grid = ImageIO.read(run.resolve("samples/step-0000004.png").toFile());
        // three 32-pixel samples enlarged to 128 in a 2 x 2 grid
        assertThat(grid.getWidth()).isGreaterThan(2 * 128).isLessThan(3 * 128);
        assertThat(Files.list(run.resolve("samples")).toList()).hasSize(1);
    }

    @Test
    void evalStepsMustFallOnCheckpoints() throws IOException {
        Path config = TinyTrainingConfig.write(dir, """
                  max_steps: 4
                  checkpointing_steps: 2
                  eval_steps: 3
                """, "", 2, 10);
        assertThatThrownBy(() -> TrainConfig.read(config)).hasMessageContaining("trainer.eval_steps").hasMessageContaining("multiple of checkpointing_steps");
    }
}
