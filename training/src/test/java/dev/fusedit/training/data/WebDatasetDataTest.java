package dev.fusedit.training.data;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.training.config.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Batches from tar shards: exact pixels, determinism by index, skipping of bad members and damaged shards. */
class WebDatasetDataTest {
    @TempDir
    Path dir;

    private static TrainConfig.Data config(String dataPath, int resolution, boolean centerCrop, double dropRate, String instruction) {
        return new TrainConfig.Data("webdataset", 4, resolution, dropRate, 16, dataPath, "png", "txt", centerCrop, instruction, null, 11, null, 0);
    }

    private static float normalized(int byteValue) {
        return (byteValue / 255f - 0.5f) / 0.5f;
    }

    /** Sample i of shard s: an image of a size that varies with i and a caption naming it. */
    private Path shard(String name, int shardNumber, int samples) {
        TestShards.Tar tar = new TestShards.Tar();
        for (int i = 0; i < samples; i++) {
            int w = 6 + (i * 5) % 9, h = 6 + (i * 3) % 7, tint = shardNumber * 40 + i;
            tar.add(String.format("%02d%04d.png", shardNumber, i), TestShards.png(w, h, (x, y) -> (x * 20) << 16 | (y * 30) << 8 | tint));
            tar.add(String.format("%02d%04d.txt", shardNumber, i), "caption " + shardNumber + "-" + i);
        }
        return tar.write(dir.resolve(name));
    }

    @Test
    void anImageAtTheResolutionComesThroughExactly() throws IOException {
        IntBinaryOperator rgb = (x, y) -> (x * 60) << 16 | (y * 70) << 8 | (x + y) * 9;
        new TestShards.Tar().add("k.png", TestShards.png(4, 4, rgb)).add("k.txt", "  a red cube \n").write(dir.resolve("one.tar"));
        try (WebDatasetData data = WebDatasetData.open(config("one.tar", 4, true, 0, "Imagine: "), dir)) {
            TrainingBatch b = data.batch(0, 1);
            assertThat(b.captions()).containsExactly("Imagine: a red cube");
            Tensor img = b.images();
            assertThat(img.shape()).containsExactly(1, 3, 4, 4);
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++) {
                    int p = rgb.applyAsInt(x, y);
                    assertThat(new float[] {(float) img.get(0, 0, y, x), (float) img.get(0, 1, y, x), (float) img.get(0, 2, y, x)})
                            .containsExactly(normalized(p >> 16 & 0xff), normalized(p >> 8 & 0xff), normalized(p & 0xff));
                }
        }
    }

    @Test
    void aTwoTimesDownscaleOfAConstantColourIsThatColour() throws IOException {
        new TestShards.Tar().add("k.png", TestShards.png(16, 8, (x, y) -> 0x4080C0)).add("k.txt", "flat").write(dir.resolve("flat.tar"));
        try (WebDatasetData data = WebDatasetData.open(config("flat.tar", 4, false, 0, ""), dir)) {
            Tensor img = data.batch(3, 2).images();
            float[] expected = {normalized(0x40), normalized(0x80), normalized(0xC0)};
            for (int b = 0; b < 2; b++)
                for (int c = 0; c < 3; c++)
                    for (int y = 0; y < 4; y++)
                        for (int x = 0; x < 4; x++) assertThat((float) img.get(b, c, y, x)).isEqualTo(expected[c]);
        }
    }

    @Test
    void batchKIsTheSameAcrossOpensAndInAnyOrder() throws IOException {
        shard("a-0.tar", 0, 7);
        shard("a-1.tar", 1, 9);
        shard("a-2.tar", 2, 5);
        TrainConfig.Data cfg = config("a-{0..2}.tar", 6, false, 0.3, "");
        int batches = 12;   // 48 positions: more than two epochs of 21 samples
        TrainingBatch[] inOrder = new TrainingBatch[batches];
        try (WebDatasetData data = WebDatasetData.open(cfg, dir)) {
            assertThat(data.samples()).isEqualTo(21);
            for (int k = 0; k < batches; k++) inOrder[k] = data.batch(k, 4);
        }
        try (WebDatasetData data = WebDatasetData.open(cfg, dir)) {
            for (int k : new int[] {11, 3, 3, 0, 7, 5, 1, 10, 2, 9, 4, 8, 6}) {
                TrainingBatch again = data.batch(k, 4);
                assertThat(again.captions()).as("batch %d", k).isEqualTo(inOrder[k].captions());
                assertThat(again.images().toFloatArray()).as("batch %d", k).isEqualTo(inOrder[k].images().toFloatArray());
            }
        }
    }

    @Test
    void eachEpochVisitsEverySampleOnceAndEpochsDiffer() throws IOException {
        shard("e-0.tar", 0, 6);
        shard("e-1.tar", 1, 4);
        try (WebDatasetData data = WebDatasetData.open(config("e-{0,1}.tar", 6, true, 0, ""), dir)) {
            List<String> first = data.batch(0, 10).captions(), second = data.batch(1, 10).captions();
            assertThat(new HashSet<>(first)).hasSize(10).isEqualTo(new HashSet<>(second));
            assertThat(first).isNotEqualTo(second);
        }
    }

    @Test
    void captionsAreDroppedAtTheConfiguredRate() throws IOException {
        shard("d.tar", 0, 8);
        try (WebDatasetData data = WebDatasetData.open(config("d.tar", 6, true, 0.25, "Imagine: "), dir)) {
            int dropped = 0, total = 0;
            for (int k = 0; k < 25; k++)
                for (String c : data.batch(k, 16).captions()) {
                    total++;
                    if (c.isEmpty()) dropped++;
                    else assertThat(c).startsWith("Imagine: caption 0-");
                }
            assertThat(dropped / (double) total).isBetween(0.2, 0.3);   // 400 draws: ±0.05 is over 2 standard deviations
        }
    }

    @Test
    void originalCaptionsReplaceSyntheticOnesAtTheirRateWhereTheSampleHasOne() throws IOException {
        TestShards.Tar tar = new TestShards.Tar();
        for (int i = 0; i < 10; i++) {
            tar.add(i + ".png", TestShards.png(6, 6, (x, y) -> 0x808080)).add(i + ".synthetic_caption.txt", "synthetic " + i);
            if (i % 2 == 0) tar.add(i + ".original_caption.txt", "original " + i);
        }
        tar.write(dir.resolve("orig.tar"));
        TrainConfig.Data cfg = new TrainConfig.Data("webdataset", 10, 6, 0, 16, "orig.tar", "png", "synthetic_caption.txt", true, "", null, 5,
                "original_caption.txt", 0.5);
        try (WebDatasetData data = WebDatasetData.open(cfg, dir)) {
            int evenDraws = 0, originals = 0;
            for (int k = 0; k < 40; k++)
                for (String c : data.batch(k, 10).captions()) {
                    int sample = Integer.parseInt(c.substring(c.indexOf(' ') + 1));
                    if (c.startsWith("original")) {
                        originals++;
                        assertThat(sample % 2).isZero();
                    }
                    if (sample % 2 == 0) evenDraws++;
                }
            assertThat(evenDraws).isEqualTo(200);   // every epoch is a permutation of the 10 samples
            assertThat(originals / 200.0).isBetween(0.35, 0.65);   // ±0.15 is over 4 standard deviations
        }
    }

    @Test
    void randomCropsMoveTheWindowDeterministically() throws IOException {
        // 18 wide, 6 high: at resolution 6 the window can start at column 0..12; column x has red 10·x
        new TestShards.Tar().add("w.png", TestShards.png(18, 6, (x, y) -> (x * 10) << 16)).add("w.txt", "wide").write(dir.resolve("w.tar"));
        try (WebDatasetData data = WebDatasetData.open(config("w.tar", 6, false, 0, ""), dir)) {
            Set<Float> firstColumn = new HashSet<>();
            for (int k = 0; k < 40; k++) {
                Tensor img = data.batch(k, 1).images();
                float left = (float) img.get(0, 0, 0, 0);
                firstColumn.add(left);
                int offset = Math.round((left * 0.5f + 0.5f) * 255) / 10;
                assertThat(offset).isBetween(0, 12);
                for (int x = 0; x < 6; x++) assertThat((float) img.get(0, 0, 3, x)).isEqualTo(normalized((offset + x) * 10));
            }
            assertThat(firstColumn.size()).isGreaterThan(5);
        }
    }

    @Test
    void undecodableImagesAndIncompleteSamplesAreSkippedAndCounted() throws IOException {
        byte[] good = TestShards.png(8, 8, (x, y) -> 0x102030);
        byte[] truncated = Arrays.copyOf(TestShards.png(12, 12, (x, y) -> x * 999), 40);
        new TestShards.Tar()
                .add("0.png", good).add("0.txt", "good 0")
                .add("1.png", truncated).add("1.txt", "truncated png")
                .add("2.png", "garbage bytes, not a PNG".getBytes()).add("2.txt", "garbage")
                .add("3.txt", "no image")
                .add("4.png", good).add("4.txt", "good 4")
                .write(dir.resolve("bad.tar"));
        try (WebDatasetData data = WebDatasetData.open(config("bad.tar", 4, true, 0, ""), dir)) {
            assertThat(data.samples()).isEqualTo(4);
            assertThat(data.skipped()).isEqualTo(1);   // "3" has no png
            for (int k = 0; k < 10; k++)
                assertThat(data.batch(k, 4).captions()).hasSize(4).allMatch(c -> c.startsWith("good "));
            assertThat(data.skipped()).isEqualTo(3);
            assertThat(data.describe()).contains("4 samples indexed").contains("1 left out");
        }
    }

    @Test
    void aTruncatedShardKeepsItsReadableSamples() throws IOException {
        shard("t-0.tar", 0, 4);
        byte[] whole = Files.readAllBytes(shard("t-1.tar", 1, 6));
        Files.write(dir.resolve("t-1.tar"), Arrays.copyOf(whole, whole.length / 2));
        try (WebDatasetData data = WebDatasetData.open(config("t-{0..1}.tar", 6, true, 0, ""), dir)) {
            assertThat(data.samples()).isBetween(5, 8);
            assertThat(data.skipped()).isEqualTo(1);
            assertThat(data.describe()).contains("t-1.tar: at byte").contains("truncated");
            assertThat(data.batch(0, 8).captions()).hasSize(8);
        }
    }

    @Test
    void shardsThatAreNoTarOrLackTheColumnsFailNamingThem() throws IOException {
        shard("ok.tar", 0, 2);
        Files.writeString(dir.resolve("junk.tar"), "junk ".repeat(300));
        assertThatThrownBy(() -> WebDatasetData.open(config("ok.tar::junk.tar", 6, true, 0, ""), dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("junk.tar: not a tar file");
        TrainConfig.Data jpg = new TrainConfig.Data("webdataset", 4, 6, 0, 16, "ok.tar", "image.jpg", "txt", true, "", null, 1, null, 0);
        assertThatThrownBy(() -> WebDatasetData.open(jpg, dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("ok.tar: no sample with both 'image.jpg' and 'txt' members");
        assertThatThrownBy(() -> WebDatasetData.open(config("nope-{00..09}.tar", 6, true, 0, ""), dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("'nope-{00..09}.tar' matches no existing file");
    }
}
