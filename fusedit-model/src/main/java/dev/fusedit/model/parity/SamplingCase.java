package dev.fusedit.model.parity;

import dev.fusedit.model.fusedit.FuseDiTCheckpoint;
import dev.fusedit.model.pipeline.Denoiser;
import dev.fusedit.model.pipeline.VelocityModel;
import dev.fusedit.model.pipeline.FlowMatchEulerScheduler;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.SafeTensorsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * kind "sampling": the pipeline's denoising loop ({@link Denoiser#denoise}) from initial_latents
 * [P, C, H, W] with input_ids / attention_mask [2P, L] (unconditional rows first), guidance_scale
 * and num_inference_steps; computes final_latents, sigmas [N+1] and timesteps [N]. The scheduler
 * is the case's scheduler/scheduler_config.json when present, else the SD3 one the fixtures use
 * (1000 training steps, shift 3).
 */
final class SamplingCase {
    private SamplingCase() {}

    static Map<String, Tensor> compute(ParityCase c) throws IOException {
        Path schedulerConfig = c.dir().resolve("scheduler").resolve("scheduler_config.json");
        FlowMatchEulerScheduler scheduler = Files.isRegularFile(schedulerConfig)
                ? FlowMatchEulerScheduler.read(schedulerConfig) : new FlowMatchEulerScheduler(1000, 3.0);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (FuseDiTCheckpoint ckpt = FuseDiTCheckpoint.open(c.dir().resolve("transformer"));
             SafeTensorsFile in = c.inputs()) {
            if (!ckpt.isFuseDiT())
                throw new IOException(c.name() + ": kind 'sampling' needs a FuseDiT transformer, the config says model_type " + ckpt.config().modelType());
            double guidance = in.get("guidance_scale").to(DType.F32).item();
            int steps = (int) in.get("num_inference_steps").item();
            Denoiser.Result r;
            try (Denoiser denoiser = new Denoiser(VelocityModel.of(ckpt.fuseDiT()), scheduler)) {
                r = denoiser.denoise(in.get("initial_latents"), in.get("input_ids"),
                        ParityInputs.intRows(in.get("attention_mask")), guidance, steps, null);
            }
            out.put("final_latents", r.latents());
            float[] sigmas = r.schedule().sigmas(), timesteps = r.schedule().timesteps();
            out.put("sigmas", Tensor.of(sigmas, sigmas.length));
            out.put("timesteps", Tensor.of(timesteps, timesteps.length));
        }
        return out;
    }
}
