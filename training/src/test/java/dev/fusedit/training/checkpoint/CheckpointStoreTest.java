package dev.fusedit.training.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointStoreTest {
    @TempDir
    Path out;

    private static Path complete(Path folder, String marker) throws IOException {
        Files.createDirectories(folder.resolve("trainer"));
        Files.writeString(folder.resolve("trainer/state.json"), marker);
        return folder;
    }

    @Test
    void aCheckpointOfTheSameStepIsReplacedWhole() throws IOException {
        CheckpointStore store = new CheckpointStore(out);
        store.commit(complete(store.begin(2), "first"), 2);
        Path again = store.commit(complete(store.begin(2), "second"), 2);
        assertThat(Files.readString(again.resolve("trainer/state.json"))).isEqualTo("second");
        try (var left = Files.list(store.root())) {
            assertThat(left).containsExactly(again);
        }
    }

    @Test
    void aCrashBetweenRenamingTheOldAsideAndTheNewInPutsTheOldBack() throws IOException {
        CheckpointStore store = new CheckpointStore(out);
        Path old = store.commit(complete(store.begin(2), "first"), 2);
        // what commit leaves when killed between its two renames: the old one aside, the new one still temporary
        complete(store.begin(2), "second");
        Files.move(old, store.root().resolve(".step-0000002.replaced"));
        assertThat(CheckpointStore.latestIn(out)).contains(old);
        assertThat(Files.readString(old.resolve("trainer/state.json"))).isEqualTo("first");
        // and begin() does the same before it clears the temporaries
        Files.move(old, store.root().resolve(".step-0000002.replaced"));
        store.begin(3);
        assertThat(Files.readString(old.resolve("trainer/state.json"))).isEqualTo("first");
    }
}
