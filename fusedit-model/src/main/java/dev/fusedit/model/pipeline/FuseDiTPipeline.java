package dev.fusedit.model.pipeline;

import dev.fusedit.model.fusedit.FuseDiTCheckpoint;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.gemma.GemmaCheckpoint;
import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.model.tokenizer.Tokenizers;
import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.random.Rng;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Text to image with a FuseDiT pipeline folder, as the reference FuseDiTPipeline samples
 * (docs/reference.md#sampling):
 * <pre>{@code
 * try (FuseDiTPipeline pipe = FuseDiTPipeline.load(Path.of("models/shapes-tiny"))) {
 *     List<GeneratedImage> images = pipe.generate(List.of("a red circle"), SampleOptions.defaults().withSeed(7));
 *     images.get(0).writePng(Path.of("circle.png"));
 * }
 * }</pre>
 * Prompts are tokenized to the folder's {@link PipelineFolder#maxSequenceLength() maximum length}
 * (longer ones are cut, with a warning); the unconditional rows use the negative prompt (the empty
 * caption, BOS + padding, by default). Each image's initial noise is {@code Rng(seed).normal}
 * in transformer space, so a seed gives the same image on every machine and thread count; the
 * loop is {@link Denoiser#denoise}; latents are decoded by the VAE (latents / scaling + shift) or,
 * for a pixel-space model without vae/, used as the image directly; pixels are rounded to uint8
 * as diffusers does. A shallow DiT folder (model_type "DiT") also needs a text_encoder/ folder
 * with the Gemma checkpoint whose final hidden states it reads.
 *
 * <p>Not thread-safe: one generate call at a time (the kernels parallelise each step).
 */
public final class FuseDiTPipeline implements AutoCloseable {
    private final FuseDiTCheckpoint transformer;
    private final GemmaCheckpoint textEncoder;
    private final VaeCheckpoint vae;
    private final Tokenizer tokenizer;
    private final Denoiser denoiser;
    private final int maxSequenceLength;
    private final double defaultGuidance;

    private FuseDiTPipeline(FuseDiTCheckpoint transformer, GemmaCheckpoint textEncoder, VaeCheckpoint vae, Tokenizer tokenizer,
                            FlowMatchEulerScheduler scheduler, int maxSequenceLength, double defaultGuidance) {
        this.transformer = transformer;
        this.textEncoder = textEncoder;
        this.vae = vae;
        this.tokenizer = tokenizer;
        this.maxSequenceLength = maxSequenceLength;
        this.defaultGuidance = defaultGuidance;
        this.denoiser = Denoiser.of(transformer, textEncoder == null ? null : textEncoder.model(), scheduler);
    }

    /** Loads a pipeline folder (model_index.json, transformer/, scheduler/, tokenizer/, optional vae/). */
    public static FuseDiTPipeline load(Path pipelineFolder) throws IOException {
        PipelineFolder folder = PipelineFolder.open(pipelineFolder);
        MemoryFit.requireFits("the model in " + pipelineFolder + " (its weights)", MemoryFit.weightBytes(folder.root()));
        Tokenizer tokenizer = Tokenizers.load(folder.tokenizerDir());
        // weights stay as stored (a BF16 checkpoint is read by the BF16 kernels: half the memory)
        FuseDiTCheckpoint transformer = FuseDiTCheckpoint.open(folder.transformerDir(), true);
        GemmaCheckpoint textEncoder = null;
        VaeCheckpoint vae = null;
        try {
            if (!transformer.isFuseDiT()) {
                Path dir = folder.root().resolve("text_encoder");
                if (!Files.isDirectory(dir))
                    throw new IOException(dir + ": missing (a shallow DiT pipeline needs the Gemma text encoder whose hidden states it reads)");
                textEncoder = GemmaCheckpoint.open(dir);
            }
            if (folder.hasVae()) vae = folder.openVae();
            FuseDiTConfig c = transformer.config();
            int expectedChannels = vae != null ? vae.config().latentChannels() : 3;
            if (c.inChannels() != expectedChannels)
                throw new IOException(folder.transformerDir().resolve("config.json") + ": in_channels is " + c.inChannels() + " but "
                        + (vae != null ? "the VAE has " + expectedChannels + " latent channels" : "a pixel-space model (no vae/) needs 3 (RGB)"));
            return new FuseDiTPipeline(transformer, textEncoder, vae, tokenizer, folder.scheduler(), folder.maxSequenceLength(), folder.guidanceScale());
        } catch (IOException | RuntimeException e) {
            if (vae != null) vae.close();
            if (textEncoder != null) textEncoder.close();
            transformer.close();
            throw e;
        }
    }

    public FuseDiTConfig transformerConfig() {
        return transformer.config();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Denoiser denoiser() {
        return denoiser;
    }

    public int maxSequenceLength() {
        return maxSequenceLength;
    }

    /** The guidance scale options that name none sample with: the folder's {@link PipelineFolder#guidanceScale()}. */
    public double defaultGuidance() {
        return defaultGuidance;
    }

    /** The guidance scale opts sample with: its own, or the {@link #defaultGuidance()} when it names none. */
    public double guidance(SampleOptions opts) {
        return opts.guidance() != null ? opts.guidance() : defaultGuidance;
    }

    /** Pixels per latent cell: the VAE's downsampling factor, or 1 in pixel space. */
    public int vaeScaleFactor() {
        return vae == null ? 1 : vae.config().downsampleFactor();
    }

    /** Image sizes must be multiples of this: VAE factor × patch size. */
    public int sizeMultiple() {
        return vaeScaleFactor() * transformer.config().patchSize();
    }

    /** The default height and width: transformer sample_size × VAE factor. */
    public int defaultSize() {
        return transformer.config().sampleSize() * vaeScaleFactor();
    }

    /** Fails, listing sizes that work, unless height and width are positive multiples of {@link #sizeMultiple()}. */
    public void checkSize(int height, int width) {
        int m = sizeMultiple();
        for (int[] hw : new int[][] {{height, 0}, {width, 1}}) {
            int s = hw[0];
            if (s >= m && s % m == 0) continue;
            int below = Math.max(m, s / m * m), above = below < s ? below + m : below;
            String near = below == above ? String.valueOf(below) : below + " or " + above;
            throw new IllegalArgumentException((hw[1] == 0 ? "height " : "width ") + s + " does not work: sizes must be multiples of " + m
                    + " (VAE factor " + vaeScaleFactor() + " × patch size " + transformer.config().patchSize() + "), e.g. " + near
                    + "; the model's default is " + defaultSize());
        }
    }

    /**
     * {@code opts.imagesPerPrompt()} images for each prompt, in one denoising batch, prompt-major
     * (all images of prompt 0 first). Image k of prompt p uses seed {@code opts.seed() + p·K + k}.
     */
    public List<GeneratedImage> generate(List<String> prompts, SampleOptions opts) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts given");
        int k = opts.imagesPerPrompt();
        List<String> each = new ArrayList<>();
        long[] seeds = new long[prompts.size() * k];
        for (int p = 0; p < prompts.size(); p++)
            for (int j = 0; j < k; j++) {
                each.add(prompts.get(p));
                seeds[p * k + j] = opts.seed() + (long) p * k + j;
            }
        return generateEach(each, seeds, opts);
    }

    /**
     * One image per (prompt, seed) pair, all in one denoising batch; opts' seed and
     * imagesPerPrompt are not used. The batch runner of the shapes benchmark uses this.
     */
    public List<GeneratedImage> generateEach(List<String> prompts, long[] seeds, SampleOptions opts) {
        if (prompts.isEmpty() || prompts.size() != seeds.length)
            throw new IllegalArgumentException("expected one seed per prompt (and at least one), got " + prompts.size() + " prompts and " + seeds.length + " seeds");
        int height = opts.height() == 0 ? defaultSize() : opts.height(), width = opts.width() == 0 ? defaultSize() : opts.width();
        checkSize(height, width);
        int n = prompts.size(), f = vaeScaleFactor(), channels = transformer.config().inChannels();
        double guidance = guidance(opts);
        boolean cfg = guidance > 1;
        MemoryFit.requireFits("sampling " + n + " image" + (n == 1 ? "" : "s") + " of " + height + "x" + width + " in one batch",
                MemoryFit.samplingBytes(transformer.config(), f, vae == null ? 0 : vae.config().blockOutChannels()[0], n, cfg, height, width,
                        maxSequenceLength));
        List<String> texts = new ArrayList<>();
        if (cfg) for (int i = 0; i < n; i++) texts.add(opts.negativePrompt());
        texts.addAll(prompts);
        Tokenizer.Batch tok = tokenizer.encodeBatch(texts, maxSequenceLength);
        for (int i = 0; i < texts.size(); i++)
            if (tok.truncated()[i] && (i == 0 || !texts.get(i).equals(texts.get(i - 1))))
                opts.listener().onWarning("prompt cut to the model's " + maxSequenceLength + " tokens: \"" + texts.get(i) + "\"");

        try (MemoryScope scope = MemoryScope.open(); GradMode ignored = GradMode.noGrad()) {
            Tensor ids = Tensor.zeros(DType.I64, texts.size(), maxSequenceLength);
            for (int i = 0; i < texts.size(); i++)
                for (int j = 0; j < maxSequenceLength; j++) ids.set(tok.ids()[i][j], i, j);
            Tensor noise = Tensor.zeros(DType.F32, n, channels, height / f, width / f);
            Rng[] perImage = new Rng[n];
            for (int i = 0; i < n; i++) {
                perImage[i] = new Rng(seeds[i]);
                noise.select(0, i).copyFrom(perImage[i].normal(channels, height / f, width / f));
            }
            boolean stochastic = opts.stochasticSampling() != null ? opts.stochasticSampling() : denoiser.scheduler().stochasticSampling();
            // a stochastic sampler's step noise continues each image's own generator
            Tensor latents = denoiser.denoise(noise, ids, tok.mask(), guidance, opts.guidanceMaxSigma(), opts.steps(), stochastic ? perImage : null,
                    opts.listener()).latents();
            Tensor decoded = vae == null ? latents : vae.model().decode(latents);
            Tensor pixels = ImagePostprocess.toUint8Nhwc(decoded).contiguous();
            MemorySegment s = pixels.data();
            List<GeneratedImage> out = new ArrayList<>(n);
            int bytes = height * width * 3;
            for (int i = 0; i < n; i++) {
                byte[] px = new byte[bytes];
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, (long) i * bytes, px, 0, bytes);
                out.add(new GeneratedImage(prompts.get(i), seeds[i], new RgbImage(width, height, px)));
            }
            return out;
        }
    }

    @Override
    public void close() {
        denoiser.close();
        if (vae != null) vae.close();
        if (textEncoder != null) textEncoder.close();
        transformer.close();
    }
}
