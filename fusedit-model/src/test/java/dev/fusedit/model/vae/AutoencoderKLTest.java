package dev.fusedit.model.vae;

import dev.fusedit.layers.Parameter;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.GradCheck;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.io.SafeTensorsWriter;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.tensor.ops.Conv;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AutoencoderKLTest {
    static final Path CASES = Path.of("..", "fixtures", "vae");
    static final Path SMALL = CASES.resolve("c4_b16x32_l1_6x10");
    static final Path BATCHED = CASES.resolve("c16_b32x32x64_l2_5x7");

    static VaeConfig sd3(boolean quantConvs) {
        return new VaeConfig(3, 3, 16, new int[] {128, 256, 512, 512}, 2, 32, 1.5305, 0.0609, quantConvs, quantConvs, true);
    }

    @Test
    void sd3LayoutHasThePublishedKeysAndParameterCounts() {
        AutoencoderKL vae = new AutoencoderKL(sd3(false));
        Map<String, Parameter> params = vae.namedParameters();
        assertThat(params).hasSize(244);
        assertThat(params.keySet().stream().filter(k -> k.startsWith("decoder.")).count()).isEqualTo(138);
        assertThat(vae.parameterCount()).isEqualTo(83_819_683L);
        assertThat(vae.decoder().parameterCount()).isEqualTo(49_545_475L);
        assertThat(params.get("decoder.conv_in.weight").shape()).containsExactly(512, 16, 3, 3);
        assertThat(params.get("decoder.mid_block.attentions.0.to_out.0.weight").shape()).containsExactly(512, 512);
        assertThat(params.get("decoder.up_blocks.2.resnets.0.conv_shortcut.weight").shape()).containsExactly(256, 512, 1, 1);
        assertThat(params.get("decoder.up_blocks.3.resnets.0.conv1.weight").shape()).containsExactly(128, 256, 3, 3);
        assertThat(params.get("decoder.conv_out.weight").shape()).containsExactly(3, 128, 3, 3);
        assertThat(params.get("encoder.down_blocks.0.downsamplers.0.conv.weight").shape()).containsExactly(128, 128, 3, 3);
        assertThat(params.get("encoder.conv_out.weight").shape()).containsExactly(32, 512, 3, 3);
        assertThat(params).doesNotContainKeys("decoder.up_blocks.3.upsamplers.0.conv.weight", "encoder.down_blocks.3.downsamplers.0.conv.weight",
                "quant_conv.weight", "post_quant_conv.weight");

        Map<String, Parameter> quant = new AutoencoderKL(sd3(true)).namedParameters();
        assertThat(quant.get("quant_conv.weight").shape()).containsExactly(32, 32, 1, 1);
        assertThat(quant.get("post_quant_conv.weight").shape()).containsExactly(16, 16, 1, 1);
    }

    @Test
    void quantConvsAreAppliedAroundTheEncoderAndDecoder(@TempDir Path dir) throws IOException {
        // the fixture VAE plus random 1x1 quant convs: encode / decode must equal the plain ones with the convs applied by hand
        Path vaeDir = dir.resolve("vae");
        Files.createDirectories(vaeDir);
        Files.writeString(vaeDir.resolve("config.json"), Files.readString(SMALL.resolve("vae/config.json"))
                .replace("\"use_post_quant_conv\": false", "\"use_post_quant_conv\": true").replace("\"use_quant_conv\": false", "\"use_quant_conv\": true"));
        Rng rng = new Rng(5);
        Tensor qw = Pointwise.mul(rng.normal(8, 8, 1, 1), 0.3), qb = rng.normal(8), pw = Pointwise.mul(rng.normal(4, 4, 1, 1), 0.4), pb = rng.normal(4);
        try (SafeTensorsFile plainWeights = SafeTensorsFile.open(SMALL.resolve("vae/diffusion_pytorch_model.safetensors"));
             SafeTensorsFile in = SafeTensorsFile.open(SMALL.resolve("inputs.safetensors"));
             GradMode ignored = GradMode.noGrad()) {
            Map<String, Tensor> all = new LinkedHashMap<>();
            for (String k : plainWeights.names()) all.put(k, plainWeights.get(k));
            all.put("quant_conv.weight", qw);
            all.put("quant_conv.bias", qb);
            all.put("post_quant_conv.weight", pw);
            all.put("post_quant_conv.bias", pb);
            SafeTensorsWriter.write(vaeDir.resolve("diffusion_pytorch_model.safetensors"), all);
            try (VaeCheckpoint plain = VaeCheckpoint.open(SMALL.resolve("vae")); VaeCheckpoint quant = VaeCheckpoint.open(vaeDir)) {
                Tensor z = in.get("latents"), image = in.get("image");
                Tensor want = plain.model().decodeRaw(Conv.conv2d(z, pw, pb, 1, 0));
                assertThat(quant.model().decodeRaw(z).toFloatArray()).containsExactly(want.toFloatArray());
                Tensor moments = Conv.conv2d(plain.model().encoder().forward(image), qw, qb, 1, 0);
                assertThat(quant.model().encode(image).mean().toFloatArray()).containsExactly(moments.narrow(1, 0, 4).contiguous().toFloatArray());
            }
        }
    }

    @Test
    void legacyAttentionNamesLoadToTheSameModel(@TempDir Path dir) throws IOException {
        Path vaeDir = dir.resolve("vae");
        Files.createDirectories(vaeDir);
        Files.copy(SMALL.resolve("vae/config.json"), vaeDir.resolve("config.json"));
        try (SafeTensorsFile weights = SafeTensorsFile.open(SMALL.resolve("vae/diffusion_pytorch_model.safetensors"));
             SafeTensorsFile in = SafeTensorsFile.open(SMALL.resolve("inputs.safetensors"));
             GradMode ignored = GradMode.noGrad()) {
            Map<String, Tensor> renamed = new LinkedHashMap<>();
            int legacy = 0;
            for (String k : weights.names()) {
                String old = k.replace(".to_q.", ".query.").replace(".to_k.", ".key.").replace(".to_v.", ".value.").replace(".to_out.0.", ".proj_attn.");
                if (!old.equals(k)) legacy++;
                renamed.put(old, weights.get(k));
            }
            assertThat(legacy).isEqualTo(16); // 4 projections x (weight, bias) x (encoder, decoder)
            SafeTensorsWriter.write(vaeDir.resolve("diffusion_pytorch_model.safetensors"), renamed);
            try (VaeCheckpoint current = VaeCheckpoint.open(SMALL.resolve("vae")); VaeCheckpoint old = VaeCheckpoint.open(vaeDir)) {
                Tensor z = in.get("latents");
                assertThat(old.model().decode(z).toFloatArray()).containsExactly(current.model().decode(z).toFloatArray());
            }
        }
    }

    @Test
    void recordedWholeBatchEqualsImageByImage() throws IOException {
        try (VaeCheckpoint vae = VaeCheckpoint.open(BATCHED.resolve("vae"));
             SafeTensorsFile in = SafeTensorsFile.open(BATCHED.resolve("inputs.safetensors"))) {
            Tensor z = in.get("latents");
            assertThat(z.size(0)).isEqualTo(2);
            // an input that wants gradients makes the decode record a graph: then the batch goes through whole
            Tensor recorded = vae.model().decode(z.copy().requiresGrad(true));
            assertThat(recorded.requiresGrad()).isTrue();
            float[] batched = recorded.toFloatArray();
            float[] perImage;
            try (GradMode ignored = GradMode.noGrad()) {
                perImage = vae.model().decode(z).toFloatArray();
            }
            // equal up to float32 summation order (a kernel may split a batch of 2 differently from a batch of 1)
            assertThat(perImage).hasSameSizeAs(batched);
            for (int i = 0; i < batched.length; i++)
                assertThat((double) perImage[i]).isCloseTo(batched[i], org.assertj.core.api.Assertions.within(1e-5 * (1 + Math.abs(batched[i]))));
        }
    }

    @Test
    void sampleIsMeanPlusStdTimesNoiseAndTrainingLatentsAreShiftedAndScaled() throws IOException {
        try (VaeCheckpoint vae = VaeCheckpoint.open(SMALL.resolve("vae"));
             SafeTensorsFile in = SafeTensorsFile.open(SMALL.resolve("inputs.safetensors"));
             GradMode ignored = GradMode.noGrad()) {
            AutoencoderKL model = vae.model();
            LatentDistribution d = model.encode(in.get("image"));
            float[] mean = d.mean().toFloatArray(), logvar = d.logvar().toFloatArray();
            float[] eps = new Rng(9).normal(d.mean().shape()).toFloatArray();
            float[] sample = d.sample(new Rng(9)).toFloatArray();
            float[] train = model.encodeForTraining(in.get("image"), new Rng(9)).toFloatArray();
            for (int i = 0; i < mean.length; i++) {
                double want = mean[i] + Math.exp(0.5 * logvar[i]) * eps[i];
                assertThat((double) sample[i]).isCloseTo(want, org.assertj.core.api.Assertions.within(1e-5));
                assertThat((double) train[i]).isCloseTo((sample[i] - 0.0609) * 1.5305, org.assertj.core.api.Assertions.within(1e-5));
            }
            // toTransformerSpace inverts toDecoderInput
            Tensor z = in.get("latents");
            float[] back = model.toTransformerSpace(model.toDecoderInput(z)).toFloatArray(), orig = z.toFloatArray();
            for (int i = 0; i < orig.length; i++) assertThat((double) back[i]).isCloseTo(orig[i], org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    @Test
    void downsamplePaddingAddsAZeroRowAndColumnAndPassesGradients() {
        Tensor x = GradCheck.random(3, 2, 3, 4, 5);
        Tensor p = Downsample2D.padRightBottom(x);
        assertThat(p.shape()).containsExactly(2, 3, 5, 6);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 5; i++) assertThat(p.get(1, c, 4, i)).isZero();
            for (int i = 0; i < 4; i++) {
                assertThat(p.get(1, c, i, 5)).isZero();
                assertThat(p.get(1, c, i, 2)).isEqualTo(x.get(1, c, i, 2));
            }
        }
        GradCheck.check(t -> Pointwise.square(Downsample2D.padRightBottom(t[0])), x.requiresGrad(true));
    }

    @Test
    void badConfigsAndInputsAreRefusedByName(@TempDir Path dir) throws IOException {
        String config = Files.readString(SMALL.resolve("vae/config.json"));
        Path f = dir.resolve("config.json");
        Files.writeString(f, config.replace("\"silu\"", "\"gelu\""));
        assertThatThrownBy(() -> VaeConfig.read(f)).isInstanceOf(IOException.class).hasMessageContaining("act_fn");
        Files.writeString(f, config.replace("\"UpDecoderBlock2D\",", "\"AttnUpDecoderBlock2D\","));
        assertThatThrownBy(() -> VaeConfig.read(f)).isInstanceOf(IOException.class).hasMessageContaining("up_block_types");
        Files.writeString(f, config.replace("\"norm_num_groups\": 8", "\"norm_num_groups\": 5"));
        assertThatThrownBy(() -> VaeConfig.read(f)).isInstanceOf(IOException.class).hasMessageContaining("norm_num_groups");
        VaeConfig ok = VaeConfig.read(SMALL.resolve("vae/config.json"));
        assertThat(ok.downsampleFactor()).isEqualTo(2);
        assertThat(ok.usePostQuantConv()).isFalse();
        AutoencoderKL vae = new AutoencoderKL(ok);
        assertThatThrownBy(() -> vae.decodeRaw(Tensor.zeros(1, 3, 4, 4))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[batch, 4,");
        assertThatThrownBy(() -> vae.encode(Tensor.zeros(1, 3, 5, 4))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples of 2");
    }

    @Test
    void missingWeightsAreListed(@TempDir Path dir) throws IOException {
        Path vaeDir = dir.resolve("vae");
        Files.createDirectories(vaeDir);
        Files.copy(SMALL.resolve("vae/config.json"), vaeDir.resolve("config.json"));
        try (TensorSource weights = TensorSource.open(SMALL.resolve("vae"))) {
            Map<String, Tensor> some = new LinkedHashMap<>();
            for (String k : weights.names()) if (!k.startsWith("decoder.conv_out.")) some.put(k, weights.get(k));
            SafeTensorsWriter.write(vaeDir.resolve("diffusion_pytorch_model.safetensors"), some);
        }
        assertThatThrownBy(() -> VaeCheckpoint.open(vaeDir)).isInstanceOf(IOException.class)
                .hasMessageContaining("missing keys").hasMessageContaining("decoder.conv_out.weight");
    }
}
