package dev.fusedit.training;

import dev.fusedit.layers.Module;
import dev.fusedit.layers.Parameter;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.random.Rng;

import java.util.Map;

/**
 * Weights for a text stream that is not loaded from a pretrained LLM: HF's Gemma initialization
 * (every matrix N(0, initializer_range²), norm weights 0, i.e. scale 1).
 */
final class TextStreamInit {
    private TextStreamInit() {}

    static void randomNormal(Module llm, Rng rng, double std) {
        for (Map.Entry<String, Parameter> e : llm.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            boolean norm = p.shape().length == 1;
            p.set(norm ? dev.fusedit.tensor.Tensor.zeros(p.shape()) : Pointwise.mul(rng.normal(p.shape()), std).detach());
        }
    }
}
