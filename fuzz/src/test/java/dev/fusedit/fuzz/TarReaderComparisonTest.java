package dev.fusedit.fuzz;

import dev.fusedit.training.data.SampleGrouper;
import dev.fusedit.training.data.TarShardScanner;
import dev.fusedit.training.data.TestShards;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TarShardScanner against Apache Commons Compress, the JVM's well-kept tar reader: the same
 * hostile inputs through both (robustness), the same shard indexed by both (equal members, and
 * how long each takes). The numbers and the decision are in docs/reliability.md.
 */
class TarReaderComparisonTest {
    @TempDir
    Path scratch;

    private static List<byte[]> hostileTars(int n) {
        List<byte[]> seeds = Seeds.tars(), out = new ArrayList<>();
        Mutator m = new Mutator(new SplittableRandom(Campaign.seed()), null);
        SplittableRandom pick = new SplittableRandom(Campaign.seed() + 1);
        for (int i = 0; i < n; i++) out.add(m.mutate(seeds.get(pick.nextInt(seeds.size())), seeds));
        return out;
    }

    /** Commons Compress reads every entry's bytes; its documented error is IOException. */
    private static String readWithCommonsCompress(Path tar) throws IOException {
        int entries = 0;
        long bytes = 0;
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                if (!e.isFile()) continue;
                entries++;
                bytes += t.readAllBytes().length;
            }
        }
        return entries + " entries, " + bytes + " bytes";
    }

    @Test
    void bothReadersOnTheSameHostileInputs() throws IOException {
        List<byte[]> inputs = hostileTars(Campaign.inputs());
        Path ours = Files.createDirectories(scratch.resolve("ours")), theirs = Files.createDirectories(scratch.resolve("commons"));
        Campaign.Result a = new Campaign(new FuzzTarget("tar-ours", ours.resolve("shard.tar"), null, Seeds.tars(), ReaderCampaignTest::readShard),
                ours, ReaderCampaignTest.FINDINGS).replay(inputs);
        Campaign.Result b = new Campaign(new FuzzTarget("tar-commons-compress", theirs.resolve("shard.tar"), null, Seeds.tars(),
                TarReaderComparisonTest::readWithCommonsCompress, (error, dir) -> error instanceof IOException), theirs, ReaderCampaignTest.FINDINGS)
                .replay(inputs);
        for (Campaign.Result r : List.of(a, b)) {
            System.out.println("fuzz " + r.line());
            Files.writeString(ReaderCampaignTest.REPORT, r.line() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            for (Campaign.Finding f : r.findings()) System.out.println("  " + r.target() + " input " + f.input() + ": " + f.what());
        }
        assertThat(a.findings()).as("our tar reader's findings").isEmpty();
    }

    @Test
    void bothReadersIndexAShardAlikeAndHowLongTheyTake() throws IOException {
        int samples = Integer.getInteger("fusedit.fuzz.tarSamples", 2_000);
        byte[] image = new byte[3_000];
        new SplittableRandom(1).nextBytes(image);
        TestShards.Tar tar = new TestShards.Tar();
        for (int i = 0; i < samples; i++) tar.add(String.format("part-%02d/%08d.jpg", i % 7, i), image).add(String.format("part-%02d/%08d.txt", i % 7, i), "caption " + i);
        Path shard = tar.write(scratch.resolve("big.tar"));

        List<String> ours = new ArrayList<>(), theirs = new ArrayList<>();
        TarShardScanner.scan(shard, m -> ours.add(m.name() + "@" + m.dataOffset() + "+" + m.size()));
        try (TarFile t = new TarFile(shard)) {
            for (TarArchiveEntry e : t.getEntries()) if (e.isFile()) theirs.add(e.getName() + "@" + e.getDataOffset() + "+" + e.getSize());
        }
        assertThat(ours).hasSize(2 * samples).isEqualTo(theirs);

        int rounds = 7;
        double[] oursMs = new double[rounds], theirsMs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            List<SampleGrouper.Sample> grouped = new ArrayList<>();
            SampleGrouper g = new SampleGrouper(grouped::add);
            TarShardScanner.scan(shard, g);
            g.finish();
            long t1 = System.nanoTime();
            int files = 0;
            try (TarFile t = new TarFile(shard)) {
                for (TarArchiveEntry e : t.getEntries()) if (e.isFile()) files++;
            }
            long t2 = System.nanoTime();
            assertThat(grouped).hasSize(samples);
            assertThat(files).isEqualTo(2 * samples);
            oursMs[r] = (t1 - t0) / 1e6;
            theirsMs[r] = (t2 - t1) / 1e6;
        }
        Arrays.sort(oursMs);
        Arrays.sort(theirsMs);
        String line = String.format("tar index of %d members (%.1f MB): TarShardScanner median %.1f ms, Commons Compress TarFile median %.1f ms",
                2 * samples, Files.size(shard) / 1e6, oursMs[rounds / 2], theirsMs[rounds / 2]);
        System.out.println("fuzz " + line);
        Files.writeString(ReaderCampaignTest.REPORT, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
