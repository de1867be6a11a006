package dev.fusedit.training.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tar walking (long names three ways, damage) and webdataset's grouping of members into samples. */
class TarShardScannerTest {
    @TempDir
    Path dir;

    private static final String LONG_DIR = "deep/" + "d".repeat(120);

    private List<SampleGrouper.Sample> samples(Path tar) throws IOException {
        List<SampleGrouper.Sample> out = new ArrayList<>();
        SampleGrouper g = new SampleGrouper(out::add);
        TarShardScanner.scan(tar, g);
        g.finish();
        return out;
    }

    @Test
    void longNamesAreReadAsUstarPrefixPaxPathAndGnuLongName() throws IOException {
        for (TestShards.LongNames style : TestShards.LongNames.values()) {
            Path tar = new TestShards.Tar(style).add(LONG_DIR + "/000001.txt", "long one").add("000002.txt", "short").write(dir.resolve(style + ".tar"));
            List<String> names = new ArrayList<>();
            TarShardScanner.Result r = TarShardScanner.scan(tar, m -> {
                names.add(m.name());
                try (var ch = java.nio.channels.FileChannel.open(tar)) {
                    String text = new String(TarShardScanner.readBytes(ch, m.dataOffset(), (int) m.size()));
                    assertThat(text).isEqualTo(m.name().endsWith("000001.txt") ? "long one" : "short");
                }
            });
            assertThat(names).as(style.toString()).containsExactly(LONG_DIR + "/000001.txt", "000002.txt");
            assertThat(r.damage()).isNull();
            assertThat(r.members()).isEqualTo(2);
        }
    }

    @Test
    void consecutiveMembersWithOneKeyFormASampleAsWebdatasetGroupsThem() throws IOException {
        Path tar = new TestShards.Tar()
                .add("__meta__", "ignored")
                .add("a/000001.image.jpg", new byte[3]).add("a/000001.TXT", "one")
                .add("a/000002.image.jpg", new byte[5]).add("a/000002.txt", "two").add("a/000002.txt", "duplicate")
                .add("README", "no extension, no sample")
                .add("a.b/000003.txt", "dots in the folder name are not the key's")
                .write(dir.resolve("group.tar"));
        List<SampleGrouper.Sample> s = samples(tar);
        assertThat(s).extracting(SampleGrouper.Sample::key).containsExactly("a/000001", "a/000002", "a.b/000003");
        assertThat(s.get(0).members().keySet()).containsExactly("image.jpg", "txt");
        assertThat(SampleGrouper.column(s.get(1), "TXT").size()).isEqualTo(3);   // the first of the duplicates
        assertThat(SampleGrouper.column(s.get(1), "image.jpg").size()).isEqualTo(5);
    }

    @Test
    void memberNamesAreKeysNeverPathsAndLinkMembersCarryNoData() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("shards/inner"));
        Path tar = new TestShards.Tar()
                .add("../../escaped.txt", "parent steps")
                .add("/tmp/absolute.txt", "absolute")
                .addSymbolicLink("000009.txt", "/etc/passwd")
                .add("000010.txt", "inside")
                .write(folder.resolve("hostile.tar"));
        List<SampleGrouper.Sample> s = samples(tar);
        // the names stay keys of samples; the data of each lies inside the tar
        assertThat(s).extracting(SampleGrouper.Sample::key).containsExactly("../../escaped", "/tmp/absolute", "000010");
        for (SampleGrouper.Sample sample : s)
            for (TarShardScanner.Member m : sample.members().values())
                assertThat(m.dataOffset() + m.size()).isLessThanOrEqualTo(Files.size(tar));
        // nothing was written beside or above the shard
        try (var left = Files.walk(dir)) {
            assertThat(left.filter(Files::isRegularFile)).containsExactly(tar);
        }
    }

    @Test
    void aTruncatedTarKeepsWhatCameBeforeTheDamage() throws IOException {
        byte[] whole = new TestShards.Tar().add("000001.txt", "x".repeat(600)).add("000002.txt", "y".repeat(600)).bytes();
        // cut inside the second member's data
        Path tar = Files.write(dir.resolve("cut.tar"), Arrays.copyOf(whole, 512 + 1024 + 512 + 100));
        List<String> names = new ArrayList<>();
        TarShardScanner.Result r = TarShardScanner.scan(tar, m -> names.add(m.name()));
        assertThat(names).containsExactly("000001.txt");
        assertThat(r.damage()).contains("at byte 1536").contains("truncated");
    }

    @Test
    void aCorruptHeaderEndsTheWalkWithItsPosition() throws IOException {
        byte[] whole = new TestShards.Tar().add("000001.txt", "one").add("000002.txt", "two").bytes();
        whole[1024 + 10] ^= 0x55;   // the second header's name, so its checksum no longer matches
        Path tar = Files.write(dir.resolve("bad.tar"), whole);
        List<String> names = new ArrayList<>();
        TarShardScanner.Result r = TarShardScanner.scan(tar, m -> names.add(m.name()));
        assertThat(names).containsExactly("000001.txt");
        assertThat(r.damage()).isEqualTo("at byte 1024: header checksum mismatch");
    }

    @Test
    void filesThatAreNoTarFailNamingTheFile() throws IOException {
        Path garbage = Files.write(dir.resolve("garbage.tar"), "this is not a tar archive at all".repeat(40).getBytes());
        assertThatThrownBy(() -> TarShardScanner.scan(garbage, m -> {})).isInstanceOf(IOException.class)
                .hasMessageContaining("garbage.tar").hasMessageContaining("not a tar");
        Path empty = Files.write(dir.resolve("empty.tar"), new byte[0]);
        assertThatThrownBy(() -> TarShardScanner.scan(empty, m -> {})).hasMessageContaining("empty.tar: empty file");
    }

    @Test
    void octalAndBase256SizesParse() {
        byte[] h = new byte[12];
        System.arraycopy("00000001750 ".getBytes(), 0, h, 0, 12);
        assertThat(TarShardScanner.parseNumber(h, 0, 12)).isEqualTo(01750);
        byte[] big = new byte[12];
        big[0] = (byte) 0x80;
        big[7] = 0x02;   // 2 · 256^4
        assertThat(TarShardScanner.parseNumber(big, 0, 12)).isEqualTo(2L << 32);
        assertThat(TarShardScanner.parseNumber("12x4".getBytes(), 0, 4)).isEqualTo(-1);
    }
}
