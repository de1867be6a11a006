package dev.fusedit.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusedit.layers.SyntheticWeights;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.vae.AutoencoderKL;
import dev.fusedit.model.vae.VaeConfig;
import dev.fusedit.tensor.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A VAE folder small enough for a test: 2 blocks of 8 channels (downsampling 2), 4 latent channels, random weights. */
public final class TinyVae {
    private TinyVae() {}

    /** Writes DIR/vae (config.json and weights) and returns that folder. */
    public static Path write(Path dir) throws IOException {
        Path vae = Files.createDirectories(dir.resolve("vae"));
        String config = """
                {"_class_name":"AutoencoderKL","in_channels":3,"out_channels":3,"latent_channels":4,"block_out_channels":[8,8],
                 "layers_per_block":1,"act_fn":"silu","norm_num_groups":4,"sample_size":32,"scaling_factor":1.5305,"shift_factor":0.0609,
                 "use_quant_conv":false,"use_post_quant_conv":false,"mid_block_add_attention":true,
                 "down_block_types":["DownEncoderBlock2D","DownEncoderBlock2D"],"up_block_types":["UpDecoderBlock2D","UpDecoderBlock2D"]}""";
        Files.writeString(vae.resolve("config.json"), config);
        VaeConfig c = VaeConfig.from(new ConfigReader(vae.resolve("config.json"), "", new ObjectMapper().readTree(config)));
        SyntheticWeights.write(vae.resolve("diffusion_pytorch_model.safetensors"), new AutoencoderKL(c), "", DType.F32, 5, 0.05);
        return vae;
    }
}
