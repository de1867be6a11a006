package dev.fusedit.training;

import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTCheckpoint;
import dev.fusedit.training.config.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The DiT stream's optional long skips and output convolution train, and a checkpoint brings them back as trained. */
class ProjectDeparturesTrainingTest {
    @TempDir
    Path dir;

    @Test
    void theSwitchesTrainAndTheirWeightsSurviveACheckpoint() throws IOException {
        Path yaml = TinyTrainingConfig.write(dir, """
                  max_steps: 4
                  checkpointing_steps: 4
                  logging_steps: 1
                  seed: 5
                """, "", 2, 10);
        TrainConfig cfg = TrainConfig.read(yaml, List.of("model.long_skips=true", "model.output_conv=true"));
        Path out = dir.resolve("run");
        FuseDiT trained;
        double[] skipAtStart, conv, skip;
        try (Trainer t = new Trainer(cfg, out, 4, 1, null)) {
            trained = (FuseDiT) t.model();
            skipAtStart = trained.dit.skipLinears.getFirst().weight.get().toDoubleArray();
            assertThat(trained.dit.convOut.weight.get().toDoubleArray()).containsOnly(0.0);
            t.train();
            conv = trained.dit.convOut.weight.get().toDoubleArray();
            skip = trained.dit.skipLinears.getFirst().weight.get().toDoubleArray();
        }
        assertThat(conv).as("output_conv learned from its zero start").isNotEqualTo(new double[conv.length]);
        assertThat(skip).as("the skip Linear learned").isNotEqualTo(skipAtStart);
        try (FuseDiTCheckpoint saved = FuseDiTCheckpoint.open(out.resolve("checkpoints/step-0000004/transformer"))) {
            FuseDiT loaded = saved.fuseDiT();
            assertThat(loaded.config.longSkips()).isTrue();
            assertThat(loaded.config.outputConv()).isTrue();
            assertThat(loaded.dit.convOut.weight.get().toDoubleArray()).containsExactly(conv);
            assertThat(loaded.dit.skipLinears.getFirst().weight.get().toDoubleArray()).containsExactly(skip);
        }
    }
}
