package dev.fusedit.tensor.io;

import dev.fusedit.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A sharded checkpoint from elsewhere cannot make us read a file outside its folder. */
class FolderBoundsTest {
    @TempDir
    Path tmp;
    Path folder, outside;

    @BeforeEach
    void writeShards() throws IOException {
        folder = Files.createDirectories(tmp.resolve("model"));
        outside = tmp.resolve("secret.safetensors");
        SafeTensorsWriter.write(outside, Map.of("a", Tensor.of(new float[] {1}, 1)));
        SafeTensorsWriter.write(folder.resolve("inside.safetensors"), Map.of("a", Tensor.of(new float[] {2}, 1)));
    }

    private void index(String shardName) throws IOException {
        Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"" + shardName + "\"}}");
    }

    private void assertRefused(String shardName, String... fragments) throws IOException {
        index(shardName);
        var refusal = assertThatThrownBy(() -> TensorSource.open(folder)).isInstanceOf(FormatException.class)
                .hasMessageContaining("model.safetensors.index.json").hasMessageContaining("weight_map.a");
        for (String f : fragments) refusal.hasMessageContaining(f);
    }

    @Test
    void parentStepsAndAbsolutePathsInTheIndexAreRefused() throws IOException {
        assertRefused("../secret.safetensors", "points outside");
        assertRefused("sub/../../secret.safetensors", "points outside");
        assertRefused(outside.toString(), "points outside");
        assertRefused("", "points outside");
    }

    @Test
    void aShardThatIsALinkOutOfTheFolderIsRefused() throws IOException {
        Files.createSymbolicLink(folder.resolve("linked.safetensors"), outside);
        assertRefused("linked.safetensors", "leads outside", outside.toRealPath().toString());
    }

    @Test
    void aLinkInsideTheFolderAndAPlainShardAreRead() throws IOException {
        Files.createSymbolicLink(folder.resolve("alias.safetensors"), folder.resolve("inside.safetensors"));
        for (String name : new String[] {"inside.safetensors", "alias.safetensors", "./inside.safetensors"}) {
            index(name);
            try (TensorSource src = TensorSource.open(folder)) {
                assertThat(src.get("a").toDoubleArray()).containsExactly(2);
            }
        }
    }

    @Test
    void aFolderWithALinkOutOfItIsRefusedNamingTheLink() throws IOException {
        Path sub = Files.createDirectories(folder.resolve("sub"));
        Files.createSymbolicLink(sub.resolve("config.json"), outside);
        assertThatThrownBy(() -> FolderBounds.requireNoLinkOutside(folder)).isInstanceOf(FormatException.class)
                .hasMessageContaining(sub.resolve("config.json").toString()).hasMessageContaining("leads outside");
        Files.delete(sub.resolve("config.json"));
        Files.createSymbolicLink(sub.resolve("config.json"), folder.resolve("inside.safetensors"));
        FolderBounds.requireNoLinkOutside(folder);
    }
}
