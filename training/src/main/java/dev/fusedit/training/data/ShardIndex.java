package dev.fusedit.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Where every usable sample of a set of WebDataset shards lies: for sample i, its shard and the
 * offsets and lengths of its image and caption members. Built once by walking the tar headers
 * (cheap: no image is read), about 24 bytes per sample, so any sample can be read directly by its
 * number, which is what makes batch k computable without reading batches 0..k−1.
 *
 * <p>Samples without the image or caption column are left out and counted in {@link #skipped()};
 * so is the last sample before the damage in a truncated or corrupt shard (it may have lost
 * members). A shard that is not a tar at all, or yields no usable sample, fails the whole
 * index with an IOException naming it: better at start-up than hours into a run.
 */
public final class ShardIndex {
    private final List<Path> shards;
    private final int[] shardStart;     // sample number of each shard's first sample; one extra entry = total
    private final long[] imageOffset, captionOffset;
    private final int[] imageSize, captionSize;
    private final long skipped;
    private final List<String> damage;

    private ShardIndex(List<Path> shards, int[] shardStart, long[] imageOffset, int[] imageSize, long[] captionOffset, int[] captionSize,
                       long skipped, List<String> damage) {
        this.shards = shards;
        this.shardStart = shardStart;
        this.imageOffset = imageOffset;
        this.imageSize = imageSize;
        this.captionOffset = captionOffset;
        this.captionSize = captionSize;
        this.skipped = skipped;
        this.damage = damage;
    }

    /** One shard's usable samples. */
    private record ShardSamples(long[] imageOffset, int[] imageSize, long[] captionOffset, int[] captionSize, int count,
                                long skipped, String damage) {}

    /** Indexes {@code shards} (walked in parallel, kept in the given order). */
    public static ShardIndex build(List<Path> shards, String imageColumn, String captionColumn) throws IOException {
        List<ShardSamples> perShard;
        try {
            perShard = IntStream.range(0, shards.size()).parallel()
                    .mapToObj(i -> scanUnchecked(shards.get(i), imageColumn, captionColumn)).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        int[] start = new int[shards.size() + 1];
        long total = 0, skipped = 0;
        List<String> damage = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            ShardSamples s = perShard.get(i);
            start[i] = (int) total;
            total += s.count;
            if (total > Integer.MAX_VALUE) throw new IOException("more than " + Integer.MAX_VALUE + " samples in " + shards.size() + " shards");
            skipped += s.skipped;
            if (s.damage != null) damage.add(shards.get(i) + ": " + s.damage);
        }
        start[shards.size()] = (int) total;
        int n = (int) total;
        long[] imageOffset = new long[n], captionOffset = new long[n];
        int[] imageSize = new int[n], captionSize = new int[n];
        for (int i = 0; i < shards.size(); i++) {
            ShardSamples s = perShard.get(i);
            System.arraycopy(s.imageOffset, 0, imageOffset, start[i], s.count);
            System.arraycopy(s.imageSize, 0, imageSize, start[i], s.count);
            System.arraycopy(s.captionOffset, 0, captionOffset, start[i], s.count);
            System.arraycopy(s.captionSize, 0, captionSize, start[i], s.count);
        }
        return new ShardIndex(List.copyOf(shards), start, imageOffset, imageSize, captionOffset, captionSize, skipped, List.copyOf(damage));
    }

    private static ShardSamples scanUnchecked(Path shard, String imageColumn, String captionColumn) {
        try {
            return scan(shard, imageColumn, captionColumn);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ShardSamples scan(Path shard, String imageColumn, String captionColumn) throws IOException {
        var b = new Object() {
            long[] imageOffset = new long[64], captionOffset = new long[64];
            int[] imageSize = new int[64], captionSize = new int[64];
            int count;
            long skipped;
        };
        SampleGrouper grouper = new SampleGrouper(sample -> {
            TarShardScanner.Member image = SampleGrouper.column(sample, imageColumn), caption = SampleGrouper.column(sample, captionColumn);
            if (image == null || caption == null || image.size() > Integer.MAX_VALUE || caption.size() > Integer.MAX_VALUE) {
                b.skipped++;
                return;
            }
            if (b.count == b.imageOffset.length) {
                int grown = b.count * 2;
                b.imageOffset = Arrays.copyOf(b.imageOffset, grown);
                b.captionOffset = Arrays.copyOf(b.captionOffset, grown);
                b.imageSize = Arrays.copyOf(b.imageSize, grown);
                b.captionSize = Arrays.copyOf(b.captionSize, grown);
            }
            b.imageOffset[b.count] = image.dataOffset();
            b.imageSize[b.count] = (int) image.size();
            b.captionOffset[b.count] = caption.dataOffset();
            b.captionSize[b.count] = (int) caption.size();
            b.count++;
        });
        TarShardScanner.Result result = TarShardScanner.scan(shard, grouper);
        if (result.damage() == null) grouper.finish();
        else if (grouper.discard()) b.skipped++;   // the sample in progress may miss members that lay past the damage
        if (b.count == 0)
            throw new IOException(shard + ": no sample with both '" + imageColumn + "' and '" + captionColumn + "' members"
                    + (result.damage() != null ? " (" + result.damage() + ")" : "")
                    + " — check data.image_column / data.caption_column against the names inside the tar (KEY.EXTENSION)");
        return new ShardSamples(b.imageOffset, b.imageSize, b.captionOffset, b.captionSize, b.count, b.skipped, result.damage());
    }

    public int size() {
        return shardStart[shards.size()];
    }

    public List<Path> shards() {
        return shards;
    }

    /** Samples left out while indexing (missing columns, damaged shard ends). */
    public long skipped() {
        return skipped;
    }

    /** "SHARD: at byte N: why" for every shard whose walk stopped early. */
    public List<String> damage() {
        return damage;
    }

    /** The shard holding sample {@code i}. */
    public Path shardOf(int i) {
        int s = Arrays.binarySearch(shardStart, 0, shards.size(), i);
        if (s < 0) s = -s - 2;   // shards are never empty, so the starts strictly increase
        return shards.get(s);
    }

    public long imageOffset(int i) { return imageOffset[i]; }
    public int imageSize(int i) { return imageSize[i]; }
    public long captionOffset(int i) { return captionOffset[i]; }
    public int captionSize(int i) { return captionSize[i]; }
}
