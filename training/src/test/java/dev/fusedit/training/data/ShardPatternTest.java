package dev.fusedit.training.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** data_path expansion as webdataset's braceexpand does it, and the checks on the files it names. */
class ShardPatternTest {
    @TempDir
    Path dir;

    @Test
    void rangesKeepTheirZeroPaddingAndListsExpandInOrder() {
        assertThat(ShardPattern.expand("s-{000..002}.tar")).containsExactly("s-000.tar", "s-001.tar", "s-002.tar");
        assertThat(ShardPattern.expand("s-{8..11}.tar")).containsExactly("s-8.tar", "s-9.tar", "s-10.tar", "s-11.tar");
        assertThat(ShardPattern.expand("s-{09..10}")).containsExactly("s-09", "s-10");
        assertThat(ShardPattern.expand("s-{2..0}")).containsExactly("s-2", "s-1", "s-0");
        assertThat(ShardPattern.expand("{cc,sa}-{0..1}.tar")).containsExactly("cc-0.tar", "cc-1.tar", "sa-0.tar", "sa-1.tar");
        assertThat(ShardPattern.expand("x{a,b{1..2}}y")).containsExactly("xay", "xb1y", "xb2y");
        assertThat(ShardPattern.expand("plain.tar")).containsExactly("plain.tar");
    }

    @Test
    void malformedBracesAreRejectedWithWhatIsWrong() {
        assertThatThrownBy(() -> ShardPattern.expand("s-{000..002.tar")).hasMessageContaining("never closed");
        assertThatThrownBy(() -> ShardPattern.expand("s-{only}.tar")).hasMessageContaining("neither a range");
        assertThatThrownBy(() -> ShardPattern.expand("s-}.tar")).hasMessageContaining("'}' without '{'");
    }

    @Test
    void sourcesJoinedByDoubleColonResolveAgainstTheWorkingDirectory() throws IOException {
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        for (String f : new String[] {"a/x-00.tar", "a/x-01.tar", "b/y-0.tar"}) Files.writeString(dir.resolve(f), "");
        ShardPattern.Shards s = ShardPattern.resolve("a/x-{00..02}.tar::b/y-{0,1}.tar", dir);
        assertThat(s.existing()).containsExactly(dir.resolve("a/x-00.tar"), dir.resolve("a/x-01.tar"), dir.resolve("b/y-0.tar"));
        assertThat(s.missing()).containsExactly("a/x-02.tar", "b/y-1.tar");
    }

    @Test
    void aSourceWithNoExistingFileFailsNamingThePattern() throws IOException {
        Files.writeString(dir.resolve("real-0.tar"), "");
        assertThatThrownBy(() -> ShardPattern.resolve("real-0.tar::gone-{0..3}.tar", dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("'gone-{0..3}.tar' matches no existing file").hasMessageContaining("gone-0.tar");
        assertThatThrownBy(() -> ShardPattern.resolve("real-0.tar::", dir)).hasMessageContaining("empty source");
        assertThatThrownBy(() -> ShardPattern.resolve("real-{0.tar", dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("data.data_path 'real-{0.tar'");
    }
}
