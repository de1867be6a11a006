package dev.fusedit.model.parity;

import dev.fusedit.layers.Parameter;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTCheckpoint;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.Reduce;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * kinds "fusedit" and "dit": the transformer's velocity on hidden_states, the flow-matching loss
 * on x_t = (1 − σ)·x0 + σ·noise against noise − x0 (mean over the batch of per-sample means), and
 * d loss / d p for every trainable parameter (FuseDiT: dit.*; DiT: all), by our autograd.
 */
final class DiffusionCase {
    private DiffusionCase() {}

    static Map<String, Tensor> compute(ParityCase c) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (FuseDiTCheckpoint ckpt = FuseDiTCheckpoint.open(c.dir().resolve("transformer"));
             SafeTensorsFile in = c.inputs()) {
            boolean fused = ckpt.isFuseDiT();
            if (fused != c.kind().equals("fusedit"))
                throw new IOException(c.name() + ": kind '" + c.kind() + "' but the transformer config says model_type " + ckpt.config().modelType());
            Tensor x0 = in.get("hidden_states").to(DType.F32), noise = in.get("noise").to(DType.F32);
            Tensor sigmas = in.get("sigmas").to(DType.F32), timestep = in.get("timestep").to(DType.F32);
            int[][] mask = ParityInputs.intRows(in.get("attention_mask"));
            UnaryOperator<Tensor> model;
            if (fused) {
                FuseDiT fuseDiT = ckpt.fuseDiT();
                TextContext text = fuseDiT.encodeText(in.get("input_ids"), mask);
                model = latents -> fuseDiT.velocity(latents, timestep, text);
            } else {
                Tensor textHidden = in.get("text_hidden_states").to(DType.F32);
                model = latents -> ckpt.dit().velocity(latents, timestep, textHidden, mask);
            }
            try (GradMode ignored = GradMode.noGrad()) {
                out.put("velocity", model.apply(x0).contiguous().copy());
            }
            Tensor sigma = sigmas.reshape(sigmas.size(0), 1, 1, 1);
            Tensor xt = Pointwise.add(Pointwise.mul(Pointwise.sub(1.0, sigma), x0), Pointwise.mul(sigma, noise));
            Tensor error = Pointwise.sub(model.apply(xt), Pointwise.sub(noise, x0));
            Tensor loss = Reduce.mean(Reduce.mean(Pointwise.square(error), false, 1, 2, 3));
            loss.backward();
            out.put("loss", loss.contiguous().copy());
            for (Map.Entry<String, Parameter> e : ckpt.model().namedParameters().entrySet()) {
                Parameter p = e.getValue();
                if (!p.trainable()) continue;
                Tensor g = p.get().grad();
                out.put("grad." + e.getKey(), g == null ? Tensor.zeros(DType.F32, p.shape()) : g.contiguous().copy());
            }
        }
        return out;
    }
}
