package dev.fusedit.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.layers.ParameterBuffer;
import dev.fusedit.layers.StateDict;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.model.fusedit.TrainingModelConfig;
import dev.fusedit.model.pipeline.FlowMatchEulerScheduler;
import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.model.tokenizer.Tokenizers;
import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryPool;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.io.SafeTensorsWriter;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.Reduce;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.training.checkpoint.CheckpointStore;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.data.PrefetchingData;
import dev.fusedit.training.data.ShapesData;
import dev.fusedit.training.data.TrainingBatch;
import dev.fusedit.training.data.TrainingData;
import dev.fusedit.training.data.WebDatasetData;
import dev.fusedit.training.optim.AdamW;
import dev.fusedit.training.optim.Ema;
import dev.fusedit.training.optim.GradientClipping;
import dev.fusedit.training.optim.LearningRate;
import dev.fusedit.training.progress.LossCurve;
import dev.fusedit.training.progress.MetricsLog;
import dev.fusedit.training.progress.ProgressBar;
import dev.fusedit.training.shapes.ShapesVocabulary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rectified-flow training of a FuseDiT as the reference trains it (fusedit-reference.md §4):
 * x_t = (1 − σ)·x0 + σ·noise with σ from a logit-normal draw mapped through the scheduler's
 * shifted table, target noise − x0, mean squared error; AdamW over the flat trainable buffer,
 * global-norm clipping, EMA every N steps. Everything random in step s comes from (seed, s) and
 * batch s from the data's index s, so a run resumed from a checkpoint computes exactly the steps
 * an uninterrupted run computes.
 */
public final class Trainer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainConfig config;
    private final Path out;
    private final long maxSteps;
    private final int loggingSteps;
    private final FuseDiT model;
    private final ObjectNode transformerConfig;
    private final Tokenizer tokenizer;
    private final Path tokenizerFile;
    private final FlowMatchEulerScheduler scheduler;
    private final TrainingData data;
    private final String dataDescription;
    /** Encodes pixel batches to latents when the config names a VAE; null trains in pixel space. */
    private final VaeCheckpoint vae;
    private final ParameterBuffer params;
    private final AdamW optimizer;
    private final Ema ema;
    private final LearningRate lr;
    private final CheckpointStore checkpoints;
    private final TensorSource resumedWeights;
    /** Every step allocates the same tensors: its scope reuses the previous step's memory. */
    private final MemoryPool stepMemory = new MemoryPool();
    /** Batches decoded ahead of the step that needs them (2: one being read while one waits). */
    private static final int BATCHES_READ_AHEAD = 2;
    private long step;

    /** Called around checkpoint writes; tests use it to kill the process mid-write. */
    public interface CheckpointHook {
        void duringWrite(long step, Path partialFolder);
    }

    private CheckpointHook checkpointHook = (s, p) -> {};

    public Trainer(TrainConfig config, Path out, long maxSteps, int loggingSteps, Path resume) throws IOException {
        this.config = config;
        this.out = out;
        this.maxSteps = maxSteps;
        this.loggingSteps = Math.max(1, loggingSteps);
        Files.createDirectories(out);
        this.checkpoints = new CheckpointStore(out);

        ConfigReader modelSection = new ConfigReader(config.file(), "model.", config.model());
        transformerConfig = TrainingModelConfig.transformerConfig(modelSection, config.file());
        FuseDiTConfig modelConfig = FuseDiTConfig.from(new ConfigReader(config.file(), "model.", transformerConfig));
        if (modelConfig.modelType() != FuseDiTConfig.ModelType.FUSEDIT)
            throw new IOException(config.file() + ": model.name: this trainer trains FuseDiT models, got " + modelConfig.modelType());
        model = new FuseDiT(modelConfig);
        model.llm.setTrainable(config.trainer().trainLlm());
        model.dit.setTrainable(config.trainer().trainDit());

        scheduler = config.schedulerPath() != null
                ? FlowMatchEulerScheduler.read(Path.of(config.schedulerPath()).resolve("scheduler_config.json"))
                : new FlowMatchEulerScheduler(1000, 3.0);
        vae = config.vaePath() != null ? VaeCheckpoint.open(Path.of(config.vaePath())) : null;
        try {
            if (config.data().source().equals("shapes")) {
                data = new ShapesData(config.data().seed(), config.data().randomDroppingRate());
                dataDescription = "shapes world (generated)";
                if (vae != null) requireModelInput(config, modelConfig, vae, ShapesData.RESOLUTION);
                tokenizerFile = config.data().tokenizer() != null ? Path.of(config.data().tokenizer()) : null;
                tokenizer = tokenizerFile != null ? Tokenizers.load(tokenizerFile) : ShapesVocabulary.tokenizer();
            } else {
                tokenizerFile = TokenizerLocator.find(config);
                tokenizer = Tokenizers.load(tokenizerFile);
                requireModelInput(config, modelConfig, vae, config.data().resolution());
                WebDatasetData shards = WebDatasetData.open(config.data(), Path.of("").toAbsolutePath());
                dataDescription = shards.describe();
                data = new PrefetchingData(shards, BATCHES_READ_AHEAD);
            }
        } catch (IOException | RuntimeException e) {
            if (vae != null) vae.close();
            throw e;
        }

        Path resumeFrom = resume == null ? null : CheckpointStore.latestIn(resume)
                .orElseThrow(() -> new IOException(resume + ": no complete checkpoint to resume from (checkpoints/step-NNNNNNN/trainer/state.json)"));
        if (resumeFrom == null) {
            resumedWeights = null;
            Rng init = new Rng(config.trainer().seed());
            model.dit.initializeForTraining(init.split());
            if (config.trainer().textModel() != null) {
                try (TensorSource text = TensorSource.open(Path.of(config.trainer().textModel()))) {
                    model.loadTextStream(text);
                    copyToMemory(model.llm);
                }
            } else {
                TextStreamInit.randomNormal(model.llm, init.split(), modelConfig.initializerRange());
            }
        } else {
            // the frozen text stream and the (EMA) DiT weights come back from the transformer folder; the raw
            // trainable values, moments and EMA from the trainer state
            resumedWeights = TensorSource.open(resumeFrom.resolve("transformer"));
            StateDict.load(model, resumedWeights, "");
            copyToMemory(model);
        }
        params = new ParameterBuffer(model);
        optimizer = new AdamW(params, config.optimizer().beta1(), config.optimizer().beta2(), config.optimizer().eps(), config.optimizer().weightDecay());
        ema = config.ema().updateSteps() > 0 ? new Ema(params, config.ema().decay(), config.ema().updateSteps()) : null;
        lr = new LearningRate(config.lrScheduler().name(), config.optimizer().lr(), config.lrScheduler().numWarmupSteps());
        if (resumeFrom != null) restoreState(resumeFrom);
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

    /** Detaches parameters from memory-mapped files (so old checkpoints can be replaced safely). */
    private static void copyToMemory(dev.fusedit.layers.Module m) {
        m.namedParameters().values().forEach(p -> p.set(p.get().detach().to(DType.F32)));
    }

    public void onCheckpointWrite(CheckpointHook hook) {
        this.checkpointHook = hook;
    }

    public FuseDiT model() { return model; }
    public ParameterBuffer parameters() { return params; }
    public long step() { return step; }

    /** Trains until maxSteps, logging, checkpointing and plotting as configured. */
    public void train() throws IOException {
        var t = config.trainer();
        System.err.printf("training %s: %,d trainable parameters (DiT %,d, text stream %,d%s), batch %d x %d accumulation, steps %d -> %d%n",
                config.file().getFileName(), params.names().stream().mapToLong(n -> params.parameters().get(n).numel()).sum(),
                model.dit.parameterCount(), model.llm.parameterCount(), t.trainLlm() ? ", trainable" : ", frozen",
                config.data().batchSize(), t.gradientAccumulationSteps(), step, maxSteps);
        System.err.println("data: " + dataDescription + (vae != null ? "; encoded to latents by the VAE at " + config.vaePath() : ""));
        if (!config.ignoredKeys().isEmpty()) System.err.println("ignoring settings of the reference's runtime: " + String.join(", ", config.ignoredKeys()));
        ProgressBar bar = new ProgressBar("train", step, maxSteps, loggingSteps);
        try (MetricsLog metrics = MetricsLog.open(out.resolve("metrics.jsonl"), step)) {
            while (step < maxSteps) {
                long t0 = System.nanoTime();
                StepResult r = trainStep(step);
                step++;
                if (step % loggingSteps == 0 || step == maxSteps) {
                    ObjectNode rec = metrics.newRecord(step);
                    rec.put("loss", r.loss);
                    rec.put("grad_norm", r.gradNorm);
                    rec.put("lr", r.lr);
                    rec.put("steps_per_s", bar.rate(step));
                    rec.put("step_ms", (System.nanoTime() - t0) / 1e6);
                    if (data.skipped() > 0) rec.put("skipped_samples", data.skipped());
                    metrics.write(rec);
                    LossCurve.write(MetricsLog.read(metrics.file()), out.resolve("loss.png"));
                }
                bar.update(step, String.format("loss %.4f", r.loss) + (data.skipped() > 0 ? ", skipped samples " + data.skipped() : ""));
                if (step % t.checkpointingSteps() == 0 || step == maxSteps) saveCheckpoint();
            }
        }
    }

    /** What one optimizer step measured: the mean loss, the gradient norm before clipping, the learning rate used. */
    public record StepResult(double loss, double gradNorm, double lr) {}

    /** One optimizer step (with gradient accumulation) from the state after {@code s} steps. */
    StepResult trainStep(long s) throws IOException {
        int accum = config.trainer().gradientAccumulationSteps();
        return trainStep(s, micro -> data.batch(s * accum + micro, config.data().batchSize()));
    }

    /**
     * One optimizer step from the state after {@code s} steps on a given batch (used for every
     * micro-batch), without logging or checkpoints: what {@code fusedit bench train-step} times.
     * The step's noise and σ draws are those of step {@code s}.
     */
    public StepResult trainStep(long s, TrainingBatch batch) {
        return trainStep(s, micro -> batch);
    }

    /** The batch a run reads at batch index {@code index} (one micro-batch). */
    public TrainingBatch batch(long index) {
        return data.batch(index, config.data().batchSize());
    }

    private StepResult trainStep(long s, java.util.function.IntFunction<TrainingBatch> microBatch) {
        var t = config.trainer();
        int accum = t.gradientAccumulationSteps();
        double lossSum = 0;
        params.zeroGrads();
        for (int micro = 0; micro < accum; micro++) {
            try (MemoryScope scope = MemoryScope.open(stepMemory)) {
                long batchIndex = s * accum + micro;
                Rng rng = StepRandom.forBatch(t.seed(), batchIndex);
                TrainingBatch batch = microBatch.apply(micro);
                Tensor loss = flowMatchingLoss(batch, rng);
                lossSum += loss.item();
                Pointwise.mul(loss, 1.0 / accum).backward();
            }
        }
        double loss = lossSum / accum;
        double norm = GradientClipping.clip(params.gradSegment(), t.gradientClipping());
        if (!Double.isFinite(loss) || !Double.isFinite(norm))
            throw new TrainingDiverged("step " + (s + 1) + ": loss " + loss + ", gradient norm " + norm
                    + " — stopping; the last checkpoint in " + checkpoints.root() + " is intact");
        double rate = lr.at(s);
        optimizer.step(rate);
        if (ema != null) ema.afterStep(s + 1);
        return new StepResult(loss, norm, rate);
    }

    /** The flow-matching loss of one batch (recorded for backward). */
    Tensor flowMatchingLoss(TrainingBatch batch, Rng rng) {
        var t = config.trainer();
        Tensor x0 = vae == null ? batch.images() : toLatents(batch.images(), rng.split());
        int b = x0.size(0);
        Tokenizer.Batch tok = tokenizer.encodeBatch(batch.captions(), config.data().maxPromptLength());
        Tensor ids = Tensor.zeros(DType.I64, b, config.data().maxPromptLength());
        for (int i = 0; i < b; i++)
            for (int j = 0; j < tok.ids()[i].length; j++) ids.set(tok.ids()[i][j], i, j);
        TextContext text = model.encodeText(ids, tok.mask());

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

    // ------------------------------------------------------------------ checkpoints

    /**
     * Writes OUT/checkpoints/step-N/: a pipeline folder (model_index.json, transformer/ with the
     * EMA weights when EMA is on, scheduler/, tokenizer/) plus trainer/ (raw weights, AdamW
     * moments, EMA, step), atomically.
     */
    public Path saveCheckpoint() throws IOException {
        Path tmp = checkpoints.begin(step);
        PipelineWriter.write(tmp, transformerConfig, StateDict.tensors(model, ""), ema == null ? null : emaTensors(), scheduler, tokenizer, tokenizerFile,
                config.data().maxPromptLength(), vae == null ? null : Path.of(config.vaePath()));
        checkpointHook.duringWrite(step, tmp);
        Path trainer = Files.createDirectories(tmp.resolve("trainer"));
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("params", params.values());
        state.put("adam_m", optimizer.firstMoment());
        state.put("adam_v", optimizer.secondMoment());
        if (ema != null) state.put("ema", ema.values());
        SafeTensorsWriter.write(trainer.resolve("state.safetensors"), state);
        ObjectNode meta = JSON.createObjectNode();
        meta.put("step", step);
        meta.put("adam_steps", optimizer.steps());
        meta.put("seed", config.trainer().seed());
        meta.put("config", config.file().toString());
        meta.putPOJO("parameters", params.names());
        Path metaTmp = trainer.resolve("state.json.tmp");
        Files.writeString(metaTmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
        SafeTensorsWriter.moveAtomically(metaTmp, trainer.resolve("state.json"));
        return checkpoints.commit(tmp, step);
    }

    /** The EMA values under the model's parameter names (frozen parameters as they are). */
    private Map<String, Tensor> emaTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>(StateDict.tensors(model, ""));
        for (String name : params.names()) {
            long at = params.offsetOf(name);
            int[] shape = params.parameters().get(name).shape();
            out.put(name, ema.values().narrow(0, Math.toIntExact(at), Math.toIntExact(Tensor.numel(shape))).reshape(shape));
        }
        return out;
    }

    private void restoreState(Path checkpoint) throws IOException {
        var meta = JSON.readTree(checkpoint.resolve("trainer/state.json").toFile());
        try (SafeTensorsFile state = SafeTensorsFile.open(checkpoint.resolve("trainer/state.safetensors"))) {
            for (String key : new String[] {"params", "adam_m", "adam_v"})
                if (!state.contains(key)) throw new IOException(checkpoint + ": trainer state has no " + key);
            if (state.get("params").numel() != params.values().numel())
                throw new IOException(checkpoint + ": trainer state holds " + state.get("params").numel() + " values, this model has "
                        + params.values().numel() + " (was the config changed?)");
            params.values().copyFrom(state.get("params"));
            optimizer.firstMoment().copyFrom(state.get("adam_m"));
            optimizer.secondMoment().copyFrom(state.get("adam_v"));
            if (ema != null) {
                if (!state.contains("ema")) throw new IOException(checkpoint + ": trainer state has no EMA but the config enables it");
                ema.values().copyFrom(state.get("ema"));
            }
        }
        optimizer.setSteps(meta.path("adam_steps").asLong());
        step = meta.path("step").asLong();
        System.err.printf("resumed from %s at step %d%n", checkpoint, step);
    }

    /** A stop for a non-finite loss or gradient. */
    public static final class TrainingDiverged extends RuntimeException {
        TrainingDiverged(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        if (ema != null) ema.close();
        optimizer.close();
        params.close();
        data.close();
        if (vae != null) vae.close();
        if (resumedWeights != null) resumedWeights.close();
        stepMemory.close();
    }
}
