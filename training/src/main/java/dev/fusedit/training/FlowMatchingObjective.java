package dev.fusedit.training;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.layers.Module;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.model.fusedit.ModelSection;
import dev.fusedit.model.pipeline.FlowMatchEulerScheduler;
import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.GeneratedImage;
import dev.fusedit.model.pipeline.ImageGrid;
import dev.fusedit.model.pipeline.PngWriter;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.model.vae.LatentDistribution;
import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.Reduce;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.data.PrefetchingData;
import dev.fusedit.training.data.ShapesData;
import dev.fusedit.training.data.TrainingBatch;
import dev.fusedit.training.data.TrainingData;
import dev.fusedit.training.data.LatentShards;
import dev.fusedit.training.data.WebDatasetData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Rectified flow as the reference trains FuseDiT (docs/reference.md#training-objective): x_t = (1 − σ)·x0 +
 * σ·noise with σ from a logit-normal draw mapped through the scheduler's shifted table, target
 * noise − x0, mean squared error. Checkpoints are pipeline folders that {@code fusedit sample} reads.
 */
final class FlowMatchingObjective implements TrainingObjective {
    /** Eval-step grids sample with the reference's evaluation settings, at a fixed seed. */
    private static final long EVAL_SEED = 0;

    private final TrainConfig config;
    private final FuseDiT model;
    private final ObjectNode transformerConfig;
    private final FlowMatchEulerScheduler scheduler;
    private final TrainingData data;
    private final String dataDescription;
    private final CaptionTokenizer captions;
    /** Encodes pixel batches to latents when the config names a VAE; null trains in pixel space. */
    private final VaeCheckpoint vae;
    /** Batches decoded ahead of the step that needs them (2: one being read while one waits). */
    private static final int BATCHES_READ_AHEAD = 2;

    FlowMatchingObjective(TrainConfig config) throws IOException {
        this.config = config;
        ConfigReader modelSection = new ConfigReader(config.file(), "model.", config.model());
        transformerConfig = ModelSection.transformerConfig(modelSection, config.file());
        FuseDiTConfig modelConfig = FuseDiTConfig.from(new ConfigReader(config.file(), "model.", transformerConfig));
        if (modelConfig.modelType() != FuseDiTConfig.ModelType.FUSEDIT)
            throw new IOException(config.file() + ": model.name: this trainer trains FuseDiT models (or *ForCausalLM text streams), got "
                    + modelConfig.modelType());
        model = new FuseDiT(modelConfig);
        model.llm.setTrainable(config.trainer().trainLlm());
        model.dit.setTrainable(config.trainer().trainDit());

        scheduler = config.schedulerPath() != null
                ? FlowMatchEulerScheduler.read(Path.of(config.schedulerPath()).resolve("scheduler_config.json"))
                : new FlowMatchEulerScheduler(1000, 3.0);
        captions = CaptionTokenizer.of(config);
        vae = config.vaePath() != null ? VaeCheckpoint.open(Path.of(config.vaePath())) : null;
        try {
            if (config.data().source().equals("shapes")) {
                if (vae != null) requireModelInput(config, modelConfig, vae, ShapesData.RESOLUTION);
                data = new ShapesData(config.data().seed(), config.data().randomDroppingRate());
                dataDescription = "shapes world (generated)";
            } else if (config.data().source().equals("latents")) {
                WebDatasetData shards = WebDatasetData.open(config.data(), Path.of("").toAbsolutePath());
                requireLatentInput(config, modelConfig, vae, shards.latentShape());
                dataDescription = shards.describe() + " (precomputed latents: the VAE encoder is not run)";
                data = new PrefetchingData(shards, BATCHES_READ_AHEAD);
            } else {
                requireModelInput(config, modelConfig, vae, config.data().resolution());
                WebDatasetData shards = WebDatasetData.open(config.data(), Path.of("").toAbsolutePath());
                dataDescription = shards.describe();
                data = new PrefetchingData(shards, BATCHES_READ_AHEAD);
            }
        } catch (IOException | RuntimeException e) {
            if (vae != null) vae.close();
            throw e;
        }
    }

    /** The model's input must be what the data (and VAE) produce: checked before hours of decoding, not at step 1. */
    private static void requireModelInput(TrainConfig config, FuseDiTConfig model, VaeCheckpoint vae, int resolution) throws IOException {
        int channels = vae == null ? 3 : vae.config().latentChannels();
        int factor = vae == null ? 1 : vae.config().downsampleFactor();
        String from = vae == null ? "pixel space (no vae section)" : "the VAE's latents";
        if (resolution % factor != 0)
            throw new IOException(config.file() + ": the image size " + resolution + " must be a multiple of the VAE's downsampling factor " + factor);
        if (model.inChannels() != channels || model.sampleSize() != resolution / factor)
            throw new IOException(config.file() + ": model.in_channels " + model.inChannels() + " and model.sample_size " + model.sampleSize()
                    + " do not match " + from + ": expected in_channels " + channels + " and sample_size " + resolution / factor
                    + " for " + resolution + "x" + resolution + " images");
    }

    /** Stored latents need the VAE they came from (its scale and shift; checkpoints carry it) and a model of their size. */
    private static void requireLatentInput(TrainConfig config, FuseDiTConfig model, VaeCheckpoint vae, int[] shape) throws IOException {
        if (vae == null)
            throw new IOException(config.file() + ": data.source latents needs the vae section (the VAE that encoded the shards): "
                    + "its scaling and shift turn the stored latents into the transformer's, and checkpoints carry it for sampling");
        if (shape.length != 3 || shape[0] != 2 * vae.config().latentChannels())
            throw new IOException(config.file() + ": the latent shards hold " + Arrays.toString(shape) + " per sample, not the ["
                    + 2 * vae.config().latentChannels() + ", h, w] distributions of the VAE at " + config.vaePath());
        if (model.inChannels() != shape[0] / 2 || model.sampleSize() != shape[1])
            throw new IOException(config.file() + ": model.in_channels " + model.inChannels() + " and model.sample_size " + model.sampleSize()
                    + " do not match the latent shards: expected in_channels " + shape[0] / 2 + " and sample_size " + shape[1]);
    }

    @Override
    public FuseDiT model() {
        return model;
    }

    @Override
    public String describe() {
        return String.format("DiT %,d, text stream %,d, %s; data: %s%s", model.dit.parameterCount(), model.llm.parameterCount(),
                config.trainer().trainLlm() ? "trainable" : "frozen", dataDescription,
                vae == null ? "" : config.data().source().equals("latents") ? "; VAE at " + config.vaePath()
                        : "; encoded to latents by the VAE at " + config.vaePath());
    }

    @Override
    public void initialize(Rng rng) throws IOException {
        model.dit.initializeForTraining(rng.split());
        if (config.trainer().textModel() != null) {
            try (TensorSource text = TensorSource.open(Path.of(config.trainer().textModel()))) {
                model.loadTextStream(text);
                model.llm.copyParametersToFloat32(true);
            }
        } else {
            TextStreamInit.randomNormal(model.llm, rng.split(), model.config.initializerRange());
        }
    }

    @Override
    public TrainingData data() {
        return data;
    }

    @Override
    public void close() {
        if (vae != null) vae.close();
    }

    @Override
    public Tensor loss(TrainingBatch batch, Rng rng) {
        var t = config.trainer();
        Tensor x0 = vae == null ? batch.images()
                : config.data().source().equals("latents") ? sampleStoredLatents(batch.images(), rng.split())
                : toLatents(batch.images(), rng.split());
        int b = x0.size(0);
        TokenIds tok = TokenIds.encode(captions.tokenizer(), batch.captions(), config.data().maxPromptLength());
        TextContext text = model.encodeText(tok.ids(), tok.mask());

        Tensor noise = rng.normal(x0.shape());
        float[] z = rng.normal(b).toFloatArray();
        Tensor sigma = Tensor.zeros(DType.F32, b, 1, 1, 1), timestep = Tensor.zeros(DType.F32, b);
        for (int i = 0; i < b; i++) {
            // logit-normal u = sigmoid(mean + std·z) (diffusers compute_density_for_timestep_sampling)
            float u = t.weightingScheme().equals("logit_normal")
                    ? (float) (1 / (1 + Math.exp(-(t.logitMean() + t.logitStd() * z[i]))))
                    : (float) ((z[i] * 0.5 + 0.5) - Math.floor(z[i] * 0.5 + 0.5));
            sigma.set(scheduler.trainingSigma(u), i, 0, 0, 0);
            timestep.set(scheduler.trainingTimestep(u), i);
        }
        Tensor xt = Pointwise.add(Pointwise.mul(Pointwise.sub(1.0, sigma), x0), Pointwise.mul(sigma, noise));
        Tensor pred = model.velocity(xt, timestep, text);
        Tensor target = Pointwise.sub(noise, x0);
        if (t.preconditionOutputs()) {
            pred = Pointwise.add(Pointwise.mul(pred, Pointwise.neg(sigma)), xt);
            target = x0;
        }
        // all samples have the same size, so the mean of per-sample means is the global mean
        return Reduce.mean(Pointwise.square(Pointwise.sub(pred, target)));
    }

    /**
     * Pixels to the transformer's latents as the reference's training step does:
     * (sample of the encoder's distribution − shift_factor) · scaling_factor, the sample drawn
     * from a child of the step's generator so the noise and σ draws stay those of pixel space.
     */
    private Tensor toLatents(Tensor pixels, Rng rng) {
        try (GradMode ignored = GradMode.noGrad()) {
            return vae.model().encodeForTraining(pixels, rng);
        }
    }

    /**
     * The same draw from stored distributions [B, 2C, h, w] ({@link LatentShards}): what
     * {@link #toLatents} gives for the images they were encoded from, with the same generator.
     */
    private Tensor sampleStoredLatents(Tensor moments, Rng rng) {
        try (GradMode ignored = GradMode.noGrad()) {
            return vae.model().toTransformerSpace(LatentDistribution.fromMoments(moments).sample(rng));
        }
    }

    @Override
    public void writeModel(Path dir, Map<String, Tensor> weights) throws IOException {
        PipelineWriter.write(dir, transformerConfig, weights, scheduler, captions.tokenizer(), captions.file(), config.data().maxPromptLength(),
                config.trainer().guidanceScale(), vae == null ? null : Path.of(config.vaePath()));
    }

    @Override
    public TensorSource openWeights(Path checkpoint) throws IOException {
        return TensorSource.open(checkpoint.resolve("transformer"));
    }

    /** A grid of the eval prompts sampled from the checkpoint: OUT/samples/step-NNNNNNN.png. */
    @Override
    public void evaluate(Path checkpoint, Path outputDir, long step) throws IOException {
        List<String> prompts = config.trainer().evalPrompts();
        if (prompts.isEmpty()) return;
        try (FuseDiTPipeline pipe = FuseDiTPipeline.load(checkpoint)) {
            List<GeneratedImage> images = pipe.generate(prompts, SampleOptions.defaults().withSeed(EVAL_SEED));
            int cols = (int) Math.ceil(Math.sqrt(prompts.size()));
            Path file = Files.createDirectories(outputDir.resolve("samples")).resolve(checkpoint.getFileName() + ".png");
            PngWriter.write(ImageGrid.ofGenerated(images, (prompts.size() + cols - 1) / cols, cols, 128), file);
        }
    }
}
