package dev.fusedit.tensor.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutputPathsTest {
    @TempDir
    Path dir;

    @Test
    void aFileUnderProcIsRefusedNamingTheOptionAndThePath() {
        assertThatThrownBy(() -> OutputPaths.checkFileWritable(Path.of("/proc/x.png"), "--out"))
                .isInstanceOf(IOException.class).hasMessageStartingWith("--out /proc/x.png: cannot be written (");
        assertThatThrownBy(() -> OutputPaths.checkFolderWritable(Path.of("/proc/run"), "--out"))
                .hasMessageStartingWith("--out /proc/run: cannot be written (");
    }

    @Test
    void aFileWhoseParentIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> OutputPaths.checkFileWritable(file.resolve("a.png"), "--out")).hasMessageContaining("cannot be written");
        assertThatThrownBy(() -> OutputPaths.checkFolderWritable(file, "--out-dir")).hasMessageContaining("exists and is not a folder");
        assertThatThrownBy(() -> OutputPaths.checkFileWritable(dir, "--out")).hasMessageContaining("is a folder");
    }

    @Test
    void aWritablePathPassesAndTheCheckLeavesNothingBehind() throws IOException {
        OutputPaths.checkFileWritable(dir.resolve("a/b/c.png"), "--out");
        OutputPaths.checkFolderWritable(dir.resolve("d/e"), "--out-dir");
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }
}
