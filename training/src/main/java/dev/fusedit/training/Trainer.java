package dev.fusedit.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.layers.ParameterBuffer;
import dev.fusedit.layers.StateDict;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.model.pipeline.MemoryFit;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryPool;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.AtomicFiles;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.io.SafeTensorsWriter;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.training.checkpoint.CheckpointChecksums;
import dev.fusedit.training.checkpoint.CheckpointStore;
import dev.fusedit.training.checkpoint.RunLock;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.data.TrainingBatch;
import dev.fusedit.training.optim.AdamW;
import dev.fusedit.training.optim.Ema;
import dev.fusedit.training.optim.GradientClipping;
import dev.fusedit.training.optim.LearningRate;
import dev.fusedit.training.progress.LossCurve;
import dev.fusedit.training.progress.MetricsLog;
import dev.fusedit.training.progress.TrainingTime;
import dev.fusedit.model.progress.ProgressBar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The training loop as the reference runs it (docs/reference.md#training-objective) around a
 * {@link TrainingObjective} (rectified flow for FuseDiT, next-token loss for a text stream): AdamW
 * over the flat trainable buffer, global-norm clipping, gradient accumulation, EMA every N steps,
 * atomic checkpoints with eval-step sample grids, metrics and a loss curve. Everything random in step s comes from (seed, s) and
 * batch s from the data's index s, so a run resumed from a checkpoint computes exactly the steps
 * an uninterrupted run computes.
 */
public final class Trainer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainConfig config;
    private final Path out;
    private final long maxSteps;
    private final int loggingSteps;
    private final TrainingObjective objective;
    private final ParameterBuffer params;
    private final AdamW optimizer;
    private final Ema ema;
    private final LearningRate lr;
    private final CheckpointStore checkpoints;
    private final TensorSource resumedWeights;
    /** Held from construction to close: a second trainer on the same out folder is refused. */
    private final RunLock runLock;
    /** Every step allocates the same tensors: its scope reuses the previous step's memory. */
    private final MemoryPool stepMemory = new MemoryPool();
    private long step;
    /** Training time so far, across resumes: the loop's wall time less the eval-step grids. */
    private long trainNanos;
    private LongSupplier clock = System::nanoTime;
    private Set<Long> extraCheckpoints = Set.of();
    private String progressLabel = "train";

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
        this.runLock = RunLock.acquire(out);
        try {
            this.checkpoints = new CheckpointStore(out);
            this.objective = TrainingObjective.of(config);
            // the model is declared, not yet allocated: its float32 values alone must fit before any is allocated
            MemoryFit.requireFits("training " + config.file().getFileName() + " (" + objective.model().parameterCount() + " parameters)",
                    4 * objective.model().parameterCount());
            Path resumeFrom = resume == null ? null : CheckpointStore.latestIn(resume)
                    .orElseThrow(() -> new IOException(resume + ": no complete checkpoint to resume from (checkpoints/step-NNNNNNN/trainer/state.json)"));
            this.resumedWeights = start(resumeFrom);
            params = new ParameterBuffer(objective.model());
            optimizer = new AdamW(params, config.optimizer().beta1(), config.optimizer().beta2(), config.optimizer().eps(), config.optimizer().weightDecay());
            ema = config.ema().updateSteps() > 0 ? new Ema(params, config.ema().decay(), config.ema().updateSteps()) : null;
            lr = new LearningRate(config.lrScheduler().name(), config.optimizer().lr(), config.lrScheduler().numWarmupSteps(), maxSteps,
                    config.lrScheduler().numDecaySteps());
            if (resumeFrom != null) restoreState(resumeFrom);
        } catch (IOException | RuntimeException | Error e) {
            runLock.close();
            throw e;
        }
    }

    /** Initializes the model afresh (resumeFrom null), or loads the weights of checkpoint resumeFrom (returned, to be closed). */
    private TensorSource start(Path resumeFrom) throws IOException {
        if (resumeFrom == null) {
            objective.initialize(new Rng(config.trainer().seed()));
            return null;
        }
        // a damaged file is refused before any of it is loaded
        Path stateFile = resumeFrom.resolve(CheckpointChecksums.STATE_FILE);
        CheckpointChecksums.verify(resumeFrom, ConfigFiles.readJson(stateFile).path("checksums"), stateFile);
        // frozen parts and the (EMA) weights come back from the model folder; the raw trainable values,
        // moments and EMA from the trainer state
        TensorSource weights = objective.openWeights(resumeFrom);
        objective.loadWeights(weights);
        objective.model().copyParametersToFloat32(true); // detached from the checkpoint's files, which may be replaced
        return weights;
    }

    public void onCheckpointWrite(CheckpointHook hook) {
        this.checkpointHook = hook;
    }

    /** Steps that get a checkpoint besides every checkpointing_steps (a study's evaluation steps). */
    public void checkpointAlsoAt(Collection<Long> steps) {
        this.extraCheckpoints = Set.copyOf(steps);
    }

    /** The progress line's label ("train" unless set, e.g. "run 3/8 patch2 seed 1"). */
    public void progressLabel(String label) {
        this.progressLabel = label;
    }

    /** The clock training time is measured with (System.nanoTime unless a test sets one). */
    public void useClock(LongSupplier nanos) {
        this.clock = nanos;
    }

    /** Seconds of training so far (restored on resume, so it adds up over the pieces of a run). */
    public double trainSeconds() {
        return trainNanos / 1e9;
    }

    /** The training seconds a checkpoint's trainer state records (0 for states written before they were recorded). */
    public static double trainSecondsAt(Path checkpoint) throws IOException {
        return JSON.readTree(checkpoint.resolve("trainer/state.json").toFile()).path("train_seconds").asDouble(0);
    }

    /** The model being trained (a FuseDiT, or a Gemma text stream for next-token pretraining). */
    public dev.fusedit.layers.Module model() { return objective.model(); }
    public ParameterBuffer parameters() { return params; }
    public long step() { return step; }

    /**
     * Trains until maxSteps, or until trainer.max_minutes of training time have passed (then with a
     * checkpoint of the step reached), logging, checkpointing and plotting as configured.
     */
    public void train() throws IOException {
        var t = config.trainer();
        long budgetNanos = t.maxMinutes() > 0 ? (long) (t.maxMinutes() * 60e9) : Long.MAX_VALUE;
        String budget = t.maxMinutes() > 0 ? String.format("%s training minutes (%.1f done)", t.maxMinutes(), trainNanos / 60e9) : "";
        System.err.printf("training %s: %,d trainable parameters (%s), batch %d x %d accumulation, %s%n",
                config.file().getFileName(), params.names().stream().mapToLong(n -> params.parameters().get(n).numel()).sum(),
                objective.describe(), config.data().batchSize(), t.gradientAccumulationSteps(),
                maxSteps >= Integer.MAX_VALUE ? "from step " + step + " for " + budget
                        : "steps " + step + " -> " + maxSteps + (budget.isEmpty() ? "" : " or " + budget + ", whichever comes first"));
        if (!config.ignoredKeys().isEmpty()) System.err.println("ignoring settings of the reference's runtime: " + String.join(", ", config.ignoredKeys()));
        ProgressBar bar = new ProgressBar(progressLabel, step, maxSteps, loggingSteps);
        try (MetricsLog metrics = MetricsLog.open(out.resolve("metrics.jsonl"), step)) {
            long last = clock.getAsLong();
            TrainingTime time = new TrainingTime(trainNanos);
            while (step < maxSteps && trainNanos < budgetNanos) {
                long t0 = System.nanoTime();
                StepResult r = trainStep(step);
                step++;
                long now = clock.getAsLong();
                time.add(now - last);
                trainNanos = time.totalNanos();
                last = now;
                boolean timeUp = trainNanos >= budgetNanos;
                if (step % loggingSteps == 0 || step == maxSteps || timeUp) {
                    ObjectNode rec = metrics.newRecord(step);
                    rec.put("loss", r.loss);
                    rec.put("grad_norm", r.gradNorm);
                    rec.put("lr", r.lr);
                    rec.put("steps_per_s", bar.rate(step));
                    rec.put("step_ms", (System.nanoTime() - t0) / 1e6);
                    if (objective.data().skipped() > 0) rec.put("skipped_samples", objective.data().skipped());
                    metrics.write(rec);
                    LossCurve.write(MetricsLog.read(metrics.file()), out.resolve("loss.png"));
                }
                long skipped = objective.data().skipped();
                String status = String.format("loss %.4f", r.loss) + (skipped > 0 ? ", skipped samples " + skipped : "");
                if (budgetNanos != Long.MAX_VALUE) {
                    double rate = step / (trainNanos / 1e9); // steps of this run per second of training
                    bar.retarget(timeUp ? step : Math.min(maxSteps, step + 1 + (long) (rate * (budgetNanos - trainNanos) / 1e9)));
                    status += String.format(", %.1f/%s min", trainNanos / 60e9, t.maxMinutes());
                }
                bar.update(step, status);
                if (step % t.checkpointingSteps() == 0 || step == maxSteps || timeUp || extraCheckpoints.contains(step)) {
                    Path checkpoint = saveCheckpoint();
                    if (t.evalSteps() > 0 && (step % t.evalSteps() == 0 || step == maxSteps || timeUp)) {
                        objective.evaluate(checkpoint, out, step);
                        last = clock.getAsLong(); // the grid's sampling is not training time
                    }
                }
            }
        }
    }

    /** What one optimizer step measured: the mean loss, the gradient norm before clipping, the learning rate used. */
    public record StepResult(double loss, double gradNorm, double lr) {}

    /** One optimizer step (with gradient accumulation) from the state after {@code s} steps. */
    StepResult trainStep(long s) throws IOException {
        int accum = config.trainer().gradientAccumulationSteps();
        return trainStep(s, micro -> objective.data().batch(s * accum + micro, config.data().batchSize()));
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
        return objective.data().batch(index, config.data().batchSize());
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
                Tensor loss = objective.loss(batch, rng);
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

    // ------------------------------------------------------------------ checkpoints

    /**
     * Writes OUT/checkpoints/step-N/ atomically: the model as the objective saves it (a pipeline
     * folder for FuseDiT, a causal-LM folder for a text stream; EMA weights when EMA is on) plus
     * trainer/ (raw weights, AdamW moments, EMA, step).
     */
    public Path saveCheckpoint() throws IOException {
        Path tmp = checkpoints.begin(step);
        objective.writeModel(tmp, ema == null ? StateDict.tensors(objective.model(), "") : emaTensors());
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
        meta.put("train_seconds", trainNanos / 1e9);
        meta.put("config", config.file().toString());
        meta.putPOJO("parameters", params.names());
        meta.set("checksums", CheckpointChecksums.compute(tmp));
        AtomicFiles.writeString(trainer.resolve("state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
        return checkpoints.commit(tmp, step);
    }

    /** The EMA values under the model's parameter names (frozen parameters as they are). */
    private Map<String, Tensor> emaTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>(StateDict.tensors(objective.model(), ""));
        for (String name : params.names()) {
            long at = params.offsetOf(name);
            int[] shape = params.parameters().get(name).shape();
            out.put(name, ema.values().narrow(0, Math.toIntExact(at), Math.toIntExact(Tensor.numel(shape))).reshape(shape));
        }
        return out;
    }

    private void restoreState(Path checkpoint) throws IOException {
        Path metaFile = checkpoint.resolve("trainer/state.json");
        var meta = JSON.readTree(metaFile.toFile());
        requireSameParameters(metaFile, meta.path("parameters"));
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
        trainNanos = (long) (meta.path("train_seconds").asDouble(0) * 1e9);
        System.err.printf("resumed from %s at step %d (%.1f training minutes)%n", checkpoint, step, trainNanos / 60e9);
    }

    /**
     * The flat state is laid out parameter by parameter in the order state.json lists them: a
     * model that declares them in another order (or others) would load values into the wrong
     * places, so that is refused, naming the first parameter that differs.
     */
    private void requireSameParameters(Path metaFile, com.fasterxml.jackson.databind.JsonNode saved) throws IOException {
        if (saved.isMissingNode()) return; // states written before the list was recorded
        List<String> names = params.names();
        for (int i = 0; i < Math.max(names.size(), saved.size()); i++) {
            String have = i < names.size() ? names.get(i) : "(none)", had = i < saved.size() ? saved.get(i).asText() : "(none)";
            if (!have.equals(had))
                throw new IOException(metaFile + ": parameter " + i + " of the saved state is " + had + ", this model's is " + have
                        + " (a state of another model, or of a build that laid the parameters out differently)");
        }
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
        objective.data().close();
        objective.close();
        if (resumedWeights != null) resumedWeights.close();
        stepMemory.close();
        try {
            runLock.close();
        } catch (IOException e) {
            // the lock goes with the process anyway; nothing to undo
        }
    }
}
