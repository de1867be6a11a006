package dev.fusedit.model.config;

import dev.fusedit.tensor.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigFilesTest {
    @TempDir
    Path dir;

    /** Regression of the fuzz campaign: bytes Jackson takes for UTF-32 escaped as a CharConversionException. */
    @Test
    void bytesThatAreNoUnicodeTextAreAFormatExceptionNamingTheFile() throws IOException {
        Path f = Files.write(dir.resolve("model_index.json"), new byte[] {0, 0, 0, '{', (byte) 0xff, (byte) 0xbf, (byte) 0xc3, (byte) 0xbd});
        assertThatThrownBy(() -> ConfigFiles.readJson(f)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(f + ": not valid JSON");
    }

    @Test
    void brokenJsonAndYamlNameTheFile() throws IOException {
        Path json = Files.writeString(dir.resolve("config.json"), "{\"a\": ");
        assertThatThrownBy(() -> ConfigFiles.readJson(json)).isInstanceOf(FormatException.class).hasMessageStartingWith(json + ": not valid JSON");
        Path yaml = Files.writeString(dir.resolve("train.yaml"), "a: [1, 2");
        assertThatThrownBy(() -> ConfigFiles.readYaml(yaml)).isInstanceOf(FormatException.class).hasMessageStartingWith(yaml + ": not valid YAML");
    }
}
