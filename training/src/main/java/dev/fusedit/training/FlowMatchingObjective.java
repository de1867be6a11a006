package dev.fusedit.training;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.layers.Module;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.model.fusedit.TrainingModelConfig;
import dev.fusedit.model.pipeline.FlowMatchEulerScheduler;
import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.GeneratedImage;
import dev.fusedit.model.pipeline.ImageGrid;
import dev.fusedit.model.pipeline.PngWriter;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.Reduce;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.data.ShapesData;
import dev.fusedit.training.data.TrainingBatch;
import dev.fusedit.training.data.TrainingData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Rectified flow as the reference trains FuseDiT (fusedit-reference.md §4): x_t = (1 − σ)·x0 +
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
    private final CaptionTokenizer captions;

    FlowMatchingObjective(TrainConfig config) throws IOException {
        this.config = config;
        ConfigReader modelSection = new ConfigReader(config.file(), "model.", config.model());
        transformerConfig = TrainingModelConfig.transformerConfig(modelSection, config.file());
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
        if (config.data().source().equals("shapes")) {
            data = new ShapesData(config.data().seed(), config.data().randomDroppingRate());
            captions = CaptionTokenizer.of(config);
        } else {
            throw new IOException(config.file() + ": data.source webdataset needs a tokenizer and decoder this build does not have yet; use source: shapes");
        }
    }

    @Override
    public FuseDiT model() {
        return model;
    }

    @Override
    public String describe() {
        return String.format("DiT %,d, text stream %,d, %s", model.dit.parameterCount(), model.llm.parameterCount(),
                config.trainer().trainLlm() ? "trainable" : "frozen");
    }

    @Override
    public void initialize(Rng rng) throws IOException {
        model.dit.initializeForTraining(rng.split());
        if (config.trainer().textModel() != null) {
            try (TensorSource text = TensorSource.open(Path.of(config.trainer().textModel()))) {
                model.loadTextStream(text);
                Trainer.copyToMemory(model.llm);
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
    public Tensor loss(TrainingBatch batch, Rng rng) {
        var t = config.trainer();
        Tensor x0 = batch.images();
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

    @Override
    public void writeModel(Path dir, Map<String, Tensor> weights) throws IOException {
        PipelineWriter.write(dir, transformerConfig, weights, scheduler, captions.tokenizer(), captions.file(), config.data().maxPromptLength());
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
