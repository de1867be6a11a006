package dev.fusedit.shapes;

import dev.fusedit.tensor.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShapesPromptFileTest {
    @TempDir
    Path dir;

    /** Regression of the fuzz campaign: a line that is not UTF-8 escaped as a MalformedInputException without the line. */
    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheFileAndLine() throws IOException {
        Path f = Files.write(dir.resolve("prompts.jsonl"), new byte[] {'{', '"', 'c', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}', '\n'});
        assertThatThrownBy(() -> ShapesPromptFile.read(f)).isInstanceOf(FormatException.class).hasMessageStartingWith(f + ":1: ");
    }

    @Test
    void aWrongFieldIsRefusedWithTheFileAndLine() throws IOException {
        Path f = Files.writeString(dir.resolve("prompts.jsonl"), "\n{\"category\": \"colors\", \"prompt\": \"a red circle\", \"shapes\": 3}\n");
        assertThatThrownBy(() -> ShapesPromptFile.read(f)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(f + ":2: ").hasMessageContaining("shapes");
    }
}
