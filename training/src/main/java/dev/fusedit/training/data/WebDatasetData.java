package dev.fusedit.training.data;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.ElementAccess;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.shapes.SampleRandom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Image/caption pairs from WebDataset tar shards as training batches, pixels in [-1, 1]; or, for
 * data.source latents, the latent distributions of {@link LatentShards} ([2C, h, w] each) with
 * their captions, batched the same way.
 *
 * <p>Position p of the endless stream (batch k holds positions k·B .. k·B + B − 1) is sample
 * perm_e(p mod n) of epoch e = p / n, each epoch a fresh seeded shuffle of the n indexed samples;
 * its crop offset, caption choice (original or synthetic) and dropout are drawn from (seed, p). Everything is a function of p, so
 * batch k is the same whenever and however often it is asked for. (The reference instead resamples
 * shards with replacement through a 1000-sample shuffle buffer; epochs see every sample once.)
 *
 * <p>A sample whose image does not decode is skipped and counted; its position takes a stand-in
 * drawn from (seed, p), trying again while stand-ins fail, so batches stay full and deterministic.
 */
public final class WebDatasetData implements TrainingData {
    private static final long CROP_STREAM = 0x63726f70L, DROP_STREAM = 0x64726f70L, STAND_IN_STREAM = 0x7374616eL, ORIGINAL_STREAM = 0x6f726967L;
    /** Consecutive undecodable stand-ins after which the data is declared unusable rather than searched forever. */
    private static final int MAX_STAND_INS = 100;

    private final ShardIndex index;
    private final List<String> missingShards;
    private final int resolution;
    private final boolean centerCrop;
    private final double dropRate;
    private final double originalRate;
    private final String instruction;
    private final long seed;
    /** The shards hold precomputed latents (KEY.latent.npy) instead of images. */
    private final boolean latents;
    private final Set<Integer> undecodable = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Long, SamplePermutation> epochs = new ConcurrentHashMap<>();

    WebDatasetData(ShardIndex index, List<String> missingShards, TrainConfig.Data data) {
        this.index = index;
        this.missingShards = missingShards;
        this.resolution = data.resolution();
        this.centerCrop = data.centerCrop();
        this.dropRate = data.randomDroppingRate();
        this.originalRate = data.originalCaptionRate();
        this.instruction = data.instruction();
        this.seed = data.seed();
        this.latents = data.source().equals("latents");
    }

    /** Expands data.data_path against {@code workingDirectory} and indexes the shards. */
    public static WebDatasetData open(TrainConfig.Data data, Path workingDirectory) throws IOException {
        ShardPattern.Shards shards = ShardPattern.resolve(data.dataPath(), workingDirectory);
        String imageColumn = data.source().equals("latents") ? LatentShards.COLUMN : data.imageColumn();
        ShardIndex index = ShardIndex.build(shards.existing(), imageColumn, data.captionColumn(),
                data.originalCaptionRate() > 0 ? data.originalCaptionColumn() : null);
        return new WebDatasetData(index, shards.missing(), data);
    }

    /** One line for the start of a run: shards, samples, what was left out and why. */
    public String describe() {
        StringBuilder s = new StringBuilder(String.format("webdataset: %,d shard%s, %,d samples indexed", index.shards().size(),
                index.shards().size() == 1 ? "" : "s", index.size()));
        if (index.skipped() > 0) s.append(String.format(", %,d left out (missing columns or damaged shard ends)", index.skipped()));
        if (!missingShards.isEmpty())
            s.append(String.format("; missing, left out: %,d shard%s (first: %s)", missingShards.size(), missingShards.size() == 1 ? "" : "s",
                    missingShards.get(0)));
        for (String d : index.damage()) s.append("\n  damaged shard, read up to the damage: ").append(d);
        return s.toString();
    }

    public int samples() {
        return index.size();
    }

    @Override
    public TrainingBatch batch(long batchIndex, int size) {
        if (latents) return latentBatch(batchIndex, size);
        Tensor images = Tensor.zeros(DType.F32, size, 3, resolution, resolution);
        MemorySegment px = images.data();
        List<String> captions = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            long position = batchIndex * size + i;
            Decoded d = decodeAt(position);
            captions.add(captionFor(position, d.caption));
            ShapesData.writeImage(d.image, px, (long) i * 3 * resolution * resolution);
        }
        return new TrainingBatch(images, captions);
    }

    /** Latent distributions [B, 2C, h, w]: every sample's .npy must have the shape of the first. */
    private TrainingBatch latentBatch(long batchIndex, int size) {
        List<String> captions = new ArrayList<>(size);
        Tensor moments = null;
        for (int i = 0; i < size; i++) {
            long position = batchIndex * size + i;
            Decoded d = decodeAt(position);
            captions.add(captionFor(position, d.caption));
            int[] shape = d.latent.shape();
            if (moments == null) {
                int[] batchShape = new int[shape.length + 1];
                batchShape[0] = size;
                System.arraycopy(shape, 0, batchShape, 1, shape.length);
                moments = Tensor.zeros(DType.F32, batchShape);
            }
            if (!Arrays.equals(shape, Arrays.copyOfRange(moments.shape(), 1, moments.dim())))
                throw new IllegalStateException("data.data_path: latents of shape " + Arrays.toString(shape) + " beside "
                        + Arrays.toString(Arrays.copyOfRange(moments.shape(), 1, moments.dim()))
                        + "; the shards were encoded at different resolutions or with different VAEs");
            float[] v = d.latent.values();
            MemorySegment.copy(v, 0, moments.data(), ElementAccess.F32, (long) i * v.length * Float.BYTES, v.length);
        }
        return new TrainingBatch(moments, captions);
    }

    /** The shape of one sample's latent distribution [2C, h, w] (data.source latents), read from the first sample. */
    public int[] latentShape() {
        Decoded d = decodeAt(0);
        return d.latent.shape();
    }

    /** Images decoded and cropped (or a latent distribution); the caption before dropout. */
    private record Decoded(RgbImage image, NpyFloats.Array latent, String caption) {}

    private Decoded decodeAt(long position) {
        int n = index.size();
        int sample = epochs.computeIfAbsent(position / n, e -> new SamplePermutation(n, SampleRandom.mix(seed) ^ e)).apply((int) (position % n));
        SampleRandom standIns = null;
        for (int attempt = 0; ; attempt++) {
            Decoded d = undecodable.contains(sample) ? null : tryDecode(sample, position);
            if (d != null) return d;
            if (attempt == MAX_STAND_INS)
                throw new IllegalStateException("data.data_path: " + (MAX_STAND_INS + 1) + " samples in a row did not decode (last: sample " + sample
                        + " in " + index.shardOf(sample) + "); are data.image_column and the shards right?");
            if (standIns == null) standIns = SampleRandom.forSample(seed ^ STAND_IN_STREAM, position);
            sample = standIns.nextInt(n);
        }
    }

    /** The sample's image resized and cropped, or null (and counted) when its bytes are no image. */
    private Decoded tryDecode(int sample, long position) {
        Path shard = index.shardOf(sample);
        // the original caption replaces the synthetic one with probability original_caption_rate where the sample has one
        int captionColumn = index.has(ShardIndex.ORIGINAL_CAPTION, sample)
                && SampleRandom.forSample(seed ^ ORIGINAL_STREAM, position).nextDouble() < originalRate ? ShardIndex.ORIGINAL_CAPTION : ShardIndex.CAPTION;
        byte[] imageBytes, captionBytes;
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ)) {
            imageBytes = TarShardScanner.readBytes(ch, index.offset(ShardIndex.IMAGE, sample), index.length(ShardIndex.IMAGE, sample));
            captionBytes = TarShardScanner.readBytes(ch, index.offset(captionColumn, sample), index.length(captionColumn, sample));
        } catch (IOException e) {
            // the shard was indexed a moment ago: a read failure now is the disk's or someone's, not bad data
            throw new UncheckedIOException(shard + ": cannot read sample " + sample + ": " + e.getMessage(), e);
        }
        String caption = new String(captionBytes, StandardCharsets.UTF_8).strip();
        if (latents) {
            try {
                return new Decoded(null, NpyFloats.decode(imageBytes), caption);
            } catch (IOException e) {
                undecodable.add(sample);
                return null;
            }
        }
        RgbImage image;
        try {
            image = ImageDecoder.decode(imageBytes, shard, "sample " + sample);
        } catch (IOException e) {
            undecodable.add(sample);
            return null;
        }
        ResizeCrop.CropChoice crop = centerCrop ? ResizeCrop.CropChoice.CENTER : randomCrop(position);
        return new Decoded(ResizeCrop.apply(image, resolution, crop), null, caption);
    }

    private ResizeCrop.CropChoice randomCrop(long position) {
        SampleRandom r = SampleRandom.forSample(seed ^ CROP_STREAM, position);
        return (slack, horizontal) -> slack == 0 ? 0 : r.nextInt(0, slack);
    }

    /** "" with probability random_dropping_rate (classifier-free guidance), else instruction + caption. */
    private String captionFor(long position, String caption) {
        boolean drop = dropRate > 0 && SampleRandom.forSample(seed ^ DROP_STREAM, position).nextDouble() < dropRate;
        return drop ? "" : instruction + caption;
    }

    /** Samples left out when indexing plus distinct samples found undecodable so far. */
    @Override
    public long skipped() {
        return index.skipped() + undecodable.size();
    }
}
