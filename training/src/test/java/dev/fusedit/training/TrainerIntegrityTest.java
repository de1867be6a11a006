package dev.fusedit.training;

import dev.fusedit.tensor.io.FormatException;
import dev.fusedit.training.config.TrainConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One trainer per output folder, and a checkpoint damaged after it was written is refused on resume. */
class TrainerIntegrityTest {
    @TempDir
    static Path dir;
    static Path config;

    @BeforeAll
    static void writeConfig() throws IOException {
        config = TinyTrainingConfig.write(dir, """
                  max_steps: 2
                  checkpointing_steps: 2
                  logging_steps: 1
                  seed: 3
                """, "", 2, 10);
    }

    private static Trainer trainer(Path out, long steps, Path resume) throws IOException {
        return new Trainer(TrainConfig.read(config), out, steps, 1, resume);
    }

    /** A run folder with the checkpoint of step 2. */
    private static Path trainedTwoSteps(String name) throws IOException {
        Path out = dir.resolve(name);
        try (Trainer t = trainer(out, 2, null)) {
            t.train();
        }
        return out;
    }

    @Test
    void aSecondTrainerOnTheSameFolderIsRefusedUntilTheFirstCloses() throws IOException {
        Path out = dir.resolve("shared");
        try (Trainer first = trainer(out, 2, null)) {
            assertThatThrownBy(() -> trainer(out, 2, null)).isInstanceOf(IOException.class)
                    .hasMessageContaining(out.toString()).hasMessageContaining("another trainer is writing to this folder")
                    .hasMessageContaining("process " + ProcessHandle.current().pid());
            // another folder is not affected
            trainer(dir.resolve("other"), 2, null).close();
        }
        trainer(out, 2, null).close();
    }

    @Test
    void aFlippedByteInTheWeightsIsRefusedOnResumeNamingTheFile() throws IOException {
        Path out = trainedTwoSteps("flipped");
        Path checkpoint = out.resolve("checkpoints/step-0000002");
        assertThat(Files.readString(checkpoint.resolve("trainer/state.json"))).contains("\"checksums\"");
        Path weights;
        try (var files = Files.walk(checkpoint.resolve("transformer"))) {
            weights = files.filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow();
        }
        flipLastByte(weights);
        assertThatThrownBy(() -> trainer(out, 4, out)).isInstanceOf(FormatException.class)
                .hasMessageContaining(weights.toString()).hasMessageContaining("checksum mismatch");
        flipLastByte(weights);
        trainer(out, 4, out).close();
    }

    @Test
    void aFileMissingFromTheCheckpointIsRefusedNamingIt() throws IOException {
        Path out = trainedTwoSteps("missing");
        Path state = out.resolve("checkpoints/step-0000002/trainer/state.safetensors");
        Files.delete(state);
        assertThatThrownBy(() -> trainer(out, 4, out)).isInstanceOf(FormatException.class)
                .hasMessageContaining(state.toString()).hasMessageContaining("missing from the checkpoint");
    }

    @Test
    void aModelLargerThanTheMachineIsRefusedBeforeItsWeightsAreAllocated() throws IOException {
        Path big = Files.createDirectories(dir.resolve("big"));
        Path yaml = TinyTrainingConfig.write(big, "  max_steps: 2\n", "", 2, 10);
        // a text stream of width 2^20: 2 layers of it hold about 2 x 12 x 2^40 values, terabytes
        Files.writeString(big.resolve("text.json"), """
                {"model_type":"gemma2","vocab_size":32,"hidden_size":1048576,"intermediate_size":4194304,"num_hidden_layers":2,
                 "num_attention_heads":2,"num_key_value_heads":1,"head_dim":524288,"query_pre_attn_scalar":16}""");
        assertThatThrownBy(() -> new Trainer(TrainConfig.read(yaml), big.resolve("out"), 2, 1, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("training tiny.yaml").hasMessageContaining("needs at least").hasMessageContaining("(physical memory)");
        // the refused run released its folder
        trainer(big.resolve("out"), 2, null).close();
    }

    private static void flipLastByte(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() - 1);
            int b = f.read();
            f.seek(f.length() - 1);
            f.write(b ^ 0x01);
        }
    }
}
