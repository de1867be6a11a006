package dev.fusedit.training;

import dev.fusedit.layers.Module;
import dev.fusedit.layers.StateDict;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.data.TrainingBatch;
import dev.fusedit.training.data.TrainingData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a run trains: the model, the data, how a batch becomes a loss, and how the model part of
 * a checkpoint is written and read back. The {@link Trainer} owns everything else (AdamW,
 * clipping, EMA, checkpoints, resume, metrics), the same for every objective.
 */
interface TrainingObjective {

    /** The objective a config asks for: next-token pretraining for a *ForCausalLM model, else rectified flow. */
    static TrainingObjective of(TrainConfig config) throws IOException {
        return NextTokenObjective.handles(config) ? new NextTokenObjective(config) : new FlowMatchingObjective(config);
    }

    /** The module whose trainable parameters the optimizer updates. */
    Module model();

    /** One line on what is trained, e.g. "DiT 997,936, text stream 989,312, frozen". */
    String describe();

    /** Fresh weights for a run that does not resume: initialization, or pretrained parts loaded. */
    void initialize(Rng rng) throws IOException;

    /** Where the batches come from (closed by the trainer). */
    TrainingData data();

    /** The loss of one micro-batch, recorded for backward; {@code rng} is the batch's own generator. */
    Tensor loss(TrainingBatch batch, Rng rng);

    /**
     * Writes the model part of a checkpoint into {@code dir}.
     * @param weights every state-dict tensor, with EMA values where EMA is on
     */
    void writeModel(Path dir, Map<String, Tensor> weights) throws IOException;

    /** The weights {@link #writeModel} wrote into a checkpoint folder (kept open while training). */
    TensorSource openWeights(Path checkpoint) throws IOException;

    /** Binds the model to the weights of {@link #openWeights} (state-dict keys as {@link #writeModel} wrote them). */
    default void loadWeights(TensorSource weights) throws IOException {
        StateDict.load(model(), weights, "");
    }

    /** Releases what the objective holds besides the data (e.g. a memory-mapped VAE). */
    default void close() {}

    /** Called after the checkpoint of an eval step is committed; writes whatever shows progress (sample grids). */
    default void evaluate(Path checkpoint, Path outputDir, long step) throws IOException {}
}
