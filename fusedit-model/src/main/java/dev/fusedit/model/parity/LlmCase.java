package dev.fusedit.model.parity;

import dev.fusedit.layers.StateDict;
import dev.fusedit.model.gemma.GemmaConfig;
import dev.fusedit.model.gemma.GemmaModel;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.io.TensorSource;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** kind "llm": a standalone Gemma / Gemma-2 causal LM (keys model.*, LM head tied): logits and last_hidden_state. */
final class LlmCase {
    private LlmCase() {}

    static Map<String, Tensor> compute(ParityCase c) throws IOException {
        GemmaConfig config = GemmaConfig.read(c.dir().resolve("transformer/config.json"));
        GemmaModel model = new GemmaModel(config);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (TensorSource weights = TensorSource.open(c.dir().resolve("transformer"));
             SafeTensorsFile in = c.inputs();
             GradMode ignored = GradMode.noGrad()) {
            StateDict.load(model, weights, "model.", key -> key.equals("lm_head.weight"));
            Tensor ids = in.get("input_ids");
            int[][] mask = in.contains("attention_mask") ? ParityInputs.intRows(in.get("attention_mask")) : null;
            Tensor hidden = model.forward(ids, mask);
            out.put("last_hidden_state", hidden.contiguous().copy());
            out.put("logits", model.logits(hidden).contiguous().copy());
        }
        return out;
    }
}
