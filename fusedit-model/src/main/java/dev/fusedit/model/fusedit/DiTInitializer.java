package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Conv2d;
import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.Parameter;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.random.Rng;

/**
 * The reference's DiT.initialize_weights (docs/reference.md#initialization) for training from scratch:
 * every Linear xavier-uniform with zero bias; the patch convolution xavier-uniform over its
 * flattened [out, c·p·p] weight; RMSNorm gains 0 (scale 1, Gemma's (1 + w)); adaLN-Zero
 * modulation Linears and proj_out zero; timestep / condition / context embedder weights and
 * adaLN-single's t_block weight N(0, initializer_range²); the scale-shift tables N(0, 1)/√H.
 * This project's output_conv starts at zero (the output is proj_out's until it learns).
 */
final class DiTInitializer {
    private DiTInitializer() {}

    static void initialize(DiT dit, Rng rng) {
        FuseDiTConfig c = dit.config;
        double range = c.initializerRange();
        basic(dit, rng);
        Conv2d conv = dit.patchEmbed.proj;
        int[] w = conv.weight.shape();
        conv.weight.set(xavier(rng, w[0], w[1] * w[2] * w[3]).reshape(w));
        conv.bias.set(Tensor.zeros(DType.F32, conv.bias.shape()));
        for (DiTLayer layer : dit.layers) {
            if (layer.adaNorm != null) zero(layer.adaNorm.linear);
            if (layer.scaleShiftTable != null) layer.scaleShiftTable.set(scaledNormal(rng, c.ditHiddenSize(), layer.scaleShiftTable.shape()));
        }
        if (dit.adaNormOut != null) zero(dit.adaNormOut.linear);
        if (dit.tBlock != null) normal(rng, dit.tBlock.linear.weight, range);
        if (dit.scaleShiftTable != null) dit.scaleShiftTable.set(scaledNormal(rng, c.ditHiddenSize(), dit.scaleShiftTable.shape()));
        if (dit.timestepEmbedder != null) {
            normal(rng, dit.timestepEmbedder.linear1.weight, range);
            normal(rng, dit.timestepEmbedder.linear2.weight, range);
        }
        if (dit.conditionEmbedder != null) {
            normal(rng, dit.conditionEmbedder.linear1.weight, range);
            normal(rng, dit.conditionEmbedder.linear2.weight, range);
        }
        if (dit.contextEmbedder != null) normal(rng, dit.contextEmbedder.linear.weight, range);
        zero(dit.projOut);
        // output_conv starts as no change to the output; the skip Linears keep basic()'s xavier, as U-ViT initialises them
        if (dit.convOut != null) {
            dit.convOut.weight.set(Tensor.zeros(DType.F32, dit.convOut.weight.shape()));
            dit.convOut.bias.set(Tensor.zeros(DType.F32, dit.convOut.bias.shape()));
        }
    }

    /** torch.nn.init.xavier_uniform_ on Linears, zero biases, zero RMSNorm gains, everywhere below m. */
    private static void basic(Module m, Rng rng) {
        if (m instanceof Linear l) {
            l.weight.set(xavier(rng, l.out(), l.in()));
            if (l.bias != null) l.bias.set(Tensor.zeros(DType.F32, l.bias.shape()));
        } else if (m instanceof RmsNorm n) {
            n.weight.set(Tensor.zeros(DType.F32, n.weight.shape()));
        }
        for (Module child : m.namedChildren().values()) basic(child, rng);
    }

    /** U(−a, a) with a = √(6 / (fan_in + fan_out)), shape [fanOut, fanIn]. */
    private static Tensor xavier(Rng rng, int fanOut, int fanIn) {
        double a = Math.sqrt(6.0 / (fanIn + fanOut));
        return rng.uniform(-a, a, fanOut, fanIn);
    }

    private static void normal(Rng rng, Parameter p, double std) {
        p.set(Pointwise.mul(rng.normal(p.shape()), std));
    }

    /** torch.randn(n) / √hidden, as the reference creates scale_shift_table. */
    private static Tensor scaledNormal(Rng rng, int hidden, int[] shape) {
        return Pointwise.mul(rng.normal(shape), 1 / Math.sqrt(hidden));
    }

    private static void zero(Linear l) {
        l.weight.set(Tensor.zeros(DType.F32, l.weight.shape()));
        if (l.bias != null) l.bias.set(Tensor.zeros(DType.F32, l.bias.shape()));
    }
}
