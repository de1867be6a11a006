package dev.fusedit.training.data;

import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.model.vae.AutoencoderKL;
import dev.fusedit.model.vae.LatentDistribution;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.io.AtomicFiles;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * WebDataset shards of VAE latents, encoded once so that training (data.source: latents) skips the
 * encoder. A latent shard keeps each sample's key and caption members and replaces its image by
 * {@code KEY.latent.npy}: the encoder's distribution (mean, then clamped log-variance, [2C, h, w]
 * float32), so the trainer still draws a fresh latent sample at every step as it does when it
 * encodes on the fly, and draws the same one for the same seed.
 *
 * <p>Images are resized and centre-cropped to the resolution as the WebDataset reader does with
 * center_crop: true (one latent per image, so there is no random crop). Samples the reader would
 * skip are skipped and counted: no image or caption member, an image that does not decode, the
 * last sample before a damaged shard end.
 */
public final class LatentShards {
    /** The member that holds a sample's latent distribution. */
    public static final String COLUMN = "latent.npy";

    /** What encoding one shard did: samples written and samples skipped. */
    public record Result(int samples, int skipped) {}

    private LatentShards() {}

    /**
     * Encodes the samples of {@code shard} into the tar {@code out}, written atomically (a killed run
     * leaves no part of it); no file is left when no sample is usable.
     */
    public static Result encode(Path shard, Path out, AutoencoderKL vae, int resolution, String imageColumn, String captionColumn,
                                String originalCaptionColumn) throws IOException {
        List<SampleGrouper.Sample> samples = new ArrayList<>();
        int[] skipped = {0};
        SampleGrouper grouper = new SampleGrouper(s -> {
            if (SampleGrouper.column(s, imageColumn) != null && SampleGrouper.column(s, captionColumn) != null) samples.add(s);
            else skipped[0]++;
        });
        TarShardScanner.Result scan = TarShardScanner.scan(shard, grouper);
        if (scan.damage() == null) grouper.finish();
        else if (grouper.discard()) skipped[0]++;   // it may have lost members past the damage
        List<String> captionColumns = originalCaptionColumn == null ? List.of(captionColumn) : List.of(captionColumn, originalCaptionColumn);
        int[] written = {0};
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ)) {
            // streamed: a shard's latents can be larger than the heap
            AtomicFiles.write(out, tmp -> {
                try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                    TarWriter tar = new TarWriter(os);
                    for (SampleGrouper.Sample s : samples) {
                        byte[] npy = encodeImage(read(ch, SampleGrouper.column(s, imageColumn)), shard, s.key(), vae, resolution);
                        if (npy == null) {
                            skipped[0]++;
                            continue;
                        }
                        tar.add(s.key() + "." + COLUMN, npy);
                        for (String column : captionColumns) {
                            TarShardScanner.Member m = SampleGrouper.column(s, column);
                            if (m != null) tar.add(s.key() + "." + column, read(ch, m));
                        }
                        written[0]++;
                    }
                    tar.finish();
                }
            });
        }
        // a tar without samples would stop training at start-up; a rerun tries the shard again (nothing in it decodes)
        if (written[0] == 0) Files.delete(out);
        return new Result(written[0], skipped[0]);
    }

    private static byte[] read(FileChannel ch, TarShardScanner.Member m) throws IOException {
        if (m.size() > Integer.MAX_VALUE) throw new IOException(m.name() + ": member larger than 2 GiB");
        return TarShardScanner.readBytes(ch, m.dataOffset(), (int) m.size());
    }

    /** The .npy of one image's latent distribution, or null when the bytes are no image. */
    private static byte[] encodeImage(byte[] encoded, Path shard, String key, AutoencoderKL vae, int resolution) {
        RgbImage image;
        try {
            image = ResizeCrop.apply(ImageDecoder.decode(encoded, shard, "sample " + key), resolution, ResizeCrop.CropChoice.CENTER);
        } catch (IOException corrupt) {
            return null;
        }
        try (MemoryScope scope = MemoryScope.open(); GradMode ignored = GradMode.noGrad()) {
            Tensor pixels = Tensor.zeros(DType.F32, 1, 3, resolution, resolution);
            ShapesData.writeImage(image, pixels.data(), 0);
            LatentDistribution d = vae.encode(pixels);
            float[] mean = d.mean().contiguous().toFloatArray(), logvar = d.logvar().contiguous().toFloatArray();
            float[] moments = new float[mean.length * 2];
            System.arraycopy(mean, 0, moments, 0, mean.length);
            System.arraycopy(logvar, 0, moments, mean.length, logvar.length);
            return NpyFloats.encode(moments, 2 * d.mean().size(1), d.mean().size(2), d.mean().size(3));
        }
    }
}
