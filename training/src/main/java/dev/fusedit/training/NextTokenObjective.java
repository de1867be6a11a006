package dev.fusedit.training;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.layers.StateDict;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.fusedit.ModelSection;
import dev.fusedit.model.gemma.GemmaConfig;
import dev.fusedit.model.gemma.GemmaModel;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.SafeTensorsWriter;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.tensor.ops.TransformerOps;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.data.ShapesData;
import dev.fusedit.training.data.TrainingBatch;
import dev.fusedit.training.data.TrainingData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Next-token pretraining of a text stream on the captions of the training data: the Gemma /
 * Gemma-2 stack of model.base with its tied LM head, mean cross-entropy of every real token after
 * BOS. Checkpoints are Hugging Face causal-LM folders (config.json, model.safetensors with
 * "model."-prefixed keys, tokenizer.json), which a FuseDiT run loads with trainer.text_model.
 * Selected by a model.name ending in "ForCausalLM".
 */
final class NextTokenObjective implements TrainingObjective {
    private final TrainConfig config;
    private final ObjectNode baseConfig;
    private final GemmaModel model;
    private final TrainingData data;
    private final CaptionTokenizer captions;

    static boolean handles(TrainConfig config) {
        return config.model().path("name").asText("").endsWith("ForCausalLM");
    }

    NextTokenObjective(TrainConfig config) throws IOException {
        this.config = config;
        ConfigReader modelSection = new ConfigReader(config.file(), "model.", config.model());
        baseConfig = ModelSection.baseConfig(modelSection, config.file());
        model = new GemmaModel(GemmaConfig.from(new ConfigReader(config.file(), "model.base.", baseConfig)));
        if (!config.data().source().equals("shapes"))
            throw new IOException(config.file() + ": data.source: next-token pretraining reads the shapes world's captions; got " + config.data().source());
        data = new ShapesData(config.data().seed(), config.data().randomDroppingRate());
        captions = CaptionTokenizer.of(config);
        if (captions.tokenizer().vocabSize() > model.config.vocabSize())
            throw new IOException(config.file() + ": the tokenizer has " + captions.tokenizer().vocabSize() + " tokens but model.base's vocab_size is "
                    + model.config.vocabSize());
    }

    @Override
    public GemmaModel model() {
        return model;
    }

    @Override
    public String describe() {
        return String.format("causal LM %,d, %d layers", model.parameterCount(), model.layers.size());
    }

    @Override
    public void initialize(Rng rng) {
        TextStreamInit.randomNormal(model, rng, baseConfig.path("initializer_range").asDouble(0.02));
    }

    @Override
    public TrainingData data() {
        return data;
    }

    /**
     * Position i predicts token i + 1 where that token is real (not padding); the last token of a
     * caption that was not truncated predicts EOS, so the model learns where captions end.
     */
    @Override
    public Tensor loss(TrainingBatch batch, Rng rng) {
        int len = config.data().maxPromptLength();
        TokenIds tok = TokenIds.encode(captions.tokenizer(), batch.captions(), len);
        int b = batch.captions().size(), eos = captions.tokenizer().eosId();
        long[] targets = new long[b * len];
        java.util.Arrays.fill(targets, -1);
        for (int i = 0; i < b; i++) {
            int[] ids = tok.batch().ids()[i];
            int real = tok.batch().realTokens(i);
            for (int j = 0; j + 1 < real; j++) targets[i * len + j] = ids[j + 1];
            if (!tok.batch().truncated()[i] && real < len && eos >= 0) targets[i * len + real - 1] = eos;
        }
        Tensor logits = model.logits(model.forward(tok.ids(), tok.mask()));
        return TransformerOps.crossEntropy(logits.reshape(b * len, model.config.vocabSize()), targets);
    }

    @Override
    public void writeModel(Path dir, Map<String, Tensor> weights) throws IOException {
        Map<String, Tensor> hfKeys = new LinkedHashMap<>();
        weights.forEach((k, v) -> hfKeys.put("model." + k, v));
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), hfKeys, Map.of("format", "pt"));
        ObjectNode cfg = baseConfig.deepCopy();
        cfg.putArray("architectures").add(config.model().path("name").asText());
        PipelineWriter.writeJson(dir.resolve("config.json"), cfg);
        PipelineWriter.writeTokenizer(dir.resolve("tokenizer.json"), captions.tokenizer(), captions.file());
    }

    @Override
    public TensorSource openWeights(Path checkpoint) throws IOException {
        return TensorSource.open(checkpoint);
    }

    @Override
    public void loadWeights(TensorSource weights) throws IOException {
        StateDict.load(model, weights, "model.");
    }
}
