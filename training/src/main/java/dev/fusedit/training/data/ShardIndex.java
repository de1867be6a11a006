package dev.fusedit.training.data;

import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Where every usable sample of a set of WebDataset shards lies: for sample i, its shard and the
 * offset and length of each indexed member (image, caption, and optionally the original caption).
 * Built once by walking the tar headers (cheap: no image is read), 24 bytes per sample and
 * column pair, so any sample can be read directly by its number, which is what makes batch k
 * computable without reading batches 0..k−1.
 *
 * <p>Samples without the image or caption member are left out and counted in {@link #skipped()};
 * so is the last sample before the damage in a truncated or corrupt shard (it may have lost
 * members). A shard that is not a tar at all, or yields no usable sample, fails the whole
 * index with an IOException naming it: better at start-up than hours into a run.
 */
public final class ShardIndex {
    public static final int IMAGE = 0, CAPTION = 1, ORIGINAL_CAPTION = 2;

    private final List<Path> shards;
    private final int[] shardStart;     // sample number of each shard's first sample; one extra entry = total
    private final long[][] offset;      // [column][sample]
    private final int[][] size;         // [column][sample]; -1 = the sample has no such member
    private final long skipped;
    private final List<String> damage;

    private ShardIndex(List<Path> shards, int[] shardStart, long[][] offset, int[][] size, long skipped, List<String> damage) {
        this.shards = shards;
        this.shardStart = shardStart;
        this.offset = offset;
        this.size = size;
        this.skipped = skipped;
        this.damage = damage;
    }

    /** One shard's usable samples. */
    private record ShardSamples(long[][] offset, int[][] size, int count, long skipped, String damage) {}

    /**
     * Indexes {@code shards} (walked in parallel, kept in the given order).
     * @param originalCaptionColumn an optional third member to index, or null
     */
    public static ShardIndex build(List<Path> shards, String imageColumn, String captionColumn, String originalCaptionColumn) throws IOException {
        List<String> columns = originalCaptionColumn == null ? List.of(imageColumn, captionColumn)
                : List.of(imageColumn, captionColumn, originalCaptionColumn);
        List<ShardSamples> perShard;
        try {
            perShard = IntStream.range(0, shards.size()).parallel().mapToObj(i -> scanUnchecked(shards.get(i), columns)).toList();
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
        long[][] offset = new long[columns.size()][(int) total];
        int[][] size = new int[columns.size()][(int) total];
        for (int i = 0; i < shards.size(); i++) {
            ShardSamples s = perShard.get(i);
            for (int c = 0; c < columns.size(); c++) {
                System.arraycopy(s.offset[c], 0, offset[c], start[i], s.count);
                System.arraycopy(s.size[c], 0, size[c], start[i], s.count);
            }
        }
        return new ShardIndex(List.copyOf(shards), start, offset, size, skipped, List.copyOf(damage));
    }

    private static ShardSamples scanUnchecked(Path shard, List<String> columns) {
        try {
            return scan(shard, columns);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ShardSamples scan(Path shard, List<String> columns) throws IOException {
        int n = columns.size();
        var b = new Object() {
            long[][] offset = new long[n][64];
            int[][] size = new int[n][64];
            int count;
            long skipped;
        };
        SampleGrouper grouper = new SampleGrouper(sample -> {
            TarShardScanner.Member[] members = new TarShardScanner.Member[n];
            for (int c = 0; c < n; c++) {
                members[c] = SampleGrouper.column(sample, columns.get(c));
                boolean required = c <= CAPTION;
                if ((members[c] == null && required) || (members[c] != null && members[c].size() > Integer.MAX_VALUE)) {
                    b.skipped++;
                    return;
                }
            }
            if (b.count == b.offset[0].length) {
                for (int c = 0; c < n; c++) {
                    b.offset[c] = Arrays.copyOf(b.offset[c], b.count * 2);
                    b.size[c] = Arrays.copyOf(b.size[c], b.count * 2);
                }
            }
            for (int c = 0; c < n; c++) {
                b.offset[c][b.count] = members[c] == null ? -1 : members[c].dataOffset();
                b.size[c][b.count] = members[c] == null ? -1 : (int) members[c].size();
            }
            b.count++;
        });
        TarShardScanner.Result result = TarShardScanner.scan(shard, grouper);
        if (result.damage() == null) grouper.finish();
        else if (grouper.discard()) b.skipped++;   // the sample in progress may miss members that lay past the damage
        if (b.count == 0)
            throw new FormatException(shard, "no sample with both '" + columns.get(IMAGE) + "' and '" + columns.get(CAPTION) + "' members"
                    + (result.damage() != null ? " (" + result.damage() + ")" : "")
                    + " — check data.image_column / data.caption_column against the names inside the tar (KEY.EXTENSION)");
        return new ShardSamples(b.offset, b.size, b.count, b.skipped, result.damage());
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

    /** Whether sample {@code i} has a member for {@code column} (always for IMAGE and CAPTION; never for a column not indexed). */
    public boolean has(int column, int i) {
        return column < size.length && size[column][i] >= 0;
    }

    /** Byte offset of sample {@code i}'s member for {@code column} in its shard. */
    public long offset(int column, int i) {
        return offset[column][i];
    }

    /** Byte length of sample {@code i}'s member for {@code column}. */
    public int length(int column, int i) {
        return size[column][i];
    }
}
