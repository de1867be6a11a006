package dev.fusedit.model.parity;

import dev.fusedit.model.pipeline.ImagePostprocess;
import dev.fusedit.model.vae.AutoencoderKL;
import dev.fusedit.model.vae.LatentDistribution;
import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.io.SafeTensorsFile;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * kind "vae": a diffusers AutoencoderKL in vae/: decoder_input and decoded from the
 * transformer-space latents, encoded_mean / encoded_logvar from the image, image_uint8 from decoded.
 */
final class VaeCase {
    private VaeCase() {}

    static Map<String, Tensor> compute(ParityCase c) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (VaeCheckpoint vae = VaeCheckpoint.open(c.dir().resolve("vae"));
             SafeTensorsFile in = c.inputs();
             GradMode ignored = GradMode.noGrad()) {
            AutoencoderKL model = vae.model();
            Tensor decoderInput = model.toDecoderInput(in.get("latents"));
            Tensor decoded = model.decodeRaw(decoderInput);
            out.put("decoder_input", decoderInput.contiguous().copy());
            out.put("decoded", decoded.contiguous().copy());
            out.put("image_uint8", ImagePostprocess.toUint8Nhwc(decoded));
            if (in.contains("image")) {
                LatentDistribution posterior = model.encode(in.get("image"));
                out.put("encoded_mean", posterior.mean().contiguous().copy());
                out.put("encoded_logvar", posterior.logvar().contiguous().copy());
            }
        }
        return out;
    }
}
