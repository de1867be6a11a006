package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Parameter;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.JoinSplit;
import dev.fusedit.tensor.random.Rng;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Properties of the FuseDiT port beyond the golden tensors (those are in tests/ParityFixturesTest). */
class FuseDiTModelTest {
    static final Path FIXTURES = Path.of("..", "fixtures", "parity");

    @Test
    void computedSinCosTableEqualsTheReferenceBuffer() throws IOException {
        try (SafeTensorsFile w = SafeTensorsFile.open(FIXTURES.resolve("ablation-base/transformer/diffusion_pytorch_model.safetensors"))) {
            Tensor stored = w.get("dit.patch_embed.pos_embed");
            Tensor computed = PatchEmbed.sincosTable(64, 32, 16);
            assertThat(computed.shape()).isEqualTo(stored.shape());
            double[] a = computed.toDoubleArray(), b = stored.toDoubleArray();
            double worst = 0;
            for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
            assertThat(worst).isLessThanOrEqualTo(1e-7);
        }
    }

    @Test
    void unpatchifyInvertsPatchOrderWithChannelFastest() {
        int b = 1, h = 2, w = 3, p = 2, c = 4;
        float[] v = new float[b * h * w * p * p * c];
        for (int i = 0; i < v.length; i++) v[i] = i;
        Tensor img = PatchEmbed.unpatchify(Tensor.of(v, b, h * w, p * p * c), h, w, p, c);
        // token (r, col), sub-pixel (p1, p2), channel ch sits at pixel (r·p + p1, col·p + p2).
        for (int r = 0; r < h; r++)
            for (int col = 0; col < w; col++)
                for (int p1 = 0; p1 < p; p1++)
                    for (int p2 = 0; p2 < p; p2++)
                        for (int ch = 0; ch < c; ch++)
                            assertThat(img.get(0, ch, r * p + p1, col * p + p2)).isEqualTo((r * w + col) * p * p * c + (p1 * p + p2) * c + ch);
    }

    @Test
    void padTokenIdsDoNotMatterAndEachSampleSeesOnlyItsOwnText() throws IOException {
        try (FuseDiTCheckpoint ckpt = FuseDiTCheckpoint.open(FIXTURES.resolve("final/transformer"));
             SafeTensorsFile in = SafeTensorsFile.open(FIXTURES.resolve("final/inputs.safetensors"));
             GradMode ignored = GradMode.noGrad()) {
            FuseDiT model = ckpt.fuseDiT();
            Tensor latents = in.get("hidden_states"), t = in.get("timestep"), ids = in.get("input_ids").copy();
            int[][] mask = rows(in.get("attention_mask"));
            double[] base = model.velocity(latents, t, ids, mask).toDoubleArray();

            Tensor padded = ids.copy();
            for (int i = 0; i < mask.length; i++)
                for (int j = 0; j < mask[i].length; j++) if (mask[i][j] == 0) padded.set(7 + j, i, j);
            assertThat(model.velocity(latents, t, padded, mask).toDoubleArray()).isEqualTo(base);

            // Change a real token of sample 0 only: sample 0 moves, the others stay bit-identical.
            Tensor changed = ids.copy();
            changed.set((ids.get(0, 1) + 1) % 300, 0, 1);
            double[] moved = model.velocity(latents, t, changed, mask).toDoubleArray();
            int perSample = base.length / mask.length;
            double diff0 = 0;
            for (int i = 0; i < perSample; i++) diff0 = Math.max(diff0, Math.abs(moved[i] - base[i]));
            assertThat(diff0).isGreaterThan(1e-3);
            for (int i = perSample; i < base.length; i++) assertThat(moved[i]).isEqualTo(base[i]);
        }
    }

    /**
     * The sampler's use: text encoded once, reused for every step. This must follow the
     * reference's uncached trajectory (image positions keep the +n offset on every step), not
     * its use_cache=True one, which drops the offset after the first step.
     */
    @Test
    void textEncodedOnceReproducesTheUncachedSamplingTrajectory() throws IOException {
        Path dir = FIXTURES.resolve("sampling");
        try (FuseDiTCheckpoint ckpt = FuseDiTCheckpoint.open(dir.resolve("transformer"));
             SafeTensorsFile in = SafeTensorsFile.open(dir.resolve("inputs.safetensors"));
             SafeTensorsFile want = SafeTensorsFile.open(dir.resolve("expected.safetensors"));
             SafeTensorsFile debug = SafeTensorsFile.open(dir.resolve("debug.safetensors"));
             GradMode ignored = GradMode.noGrad()) {
            FuseDiT model = ckpt.fuseDiT();
            TextContext text = model.encodeText(in.get("input_ids"), rows(in.get("attention_mask")));
            double g = in.get("guidance_scale").item();
            Tensor sigmas = want.get("sigmas"), timesteps = want.get("timesteps");
            Tensor x = in.get("initial_latents").copy();
            int prompts = x.size(0);
            for (int i = 0; i < timesteps.size(0); i++) {
                Tensor t = Tensor.full(DType.F32, timesteps.get(i), 2 * prompts);
                Tensor v = model.velocity(JoinSplit.cat(0, x, x), t, text);
                Tensor uncond = v.narrow(0, 0, prompts), cond = v.narrow(0, prompts, prompts);
                Tensor guided = Pointwise.add(uncond, Pointwise.mul(Pointwise.sub(cond, uncond), g));
                x = Pointwise.add(x, Pointwise.mul(guided, (float) sigmas.get(i + 1) - (float) sigmas.get(i)));
            }
            assertThat(relativeError(x, want.get("final_latents"))).isLessThan(1e-4);
            assertThat(relativeError(x, debug.get("debug.final_latents_reference_use_cache_true"))).isGreaterThan(1e-2);
        }
    }

    @Test
    void trainingInitializationFollowsTheReference() throws IOException {
        for (String variant : new String[] {"ablation-base", "rope-1d-adaln-single", "dit-self"}) {
            FuseDiTConfig c = FuseDiTConfig.read(FIXTURES.resolve(variant + "/transformer/config.json"));
            DiT dit = c.modelType() == FuseDiTConfig.ModelType.FUSEDIT ? new FuseDiT(c).dit : new DiT(c);
            dit.initializeForTraining(new Rng(42));
            for (Map.Entry<String, Parameter> e : dit.namedParameters().entrySet()) {
                String name = e.getKey();
                Tensor v = e.getValue().get();
                assertThat(v.dtype()).isEqualTo(DType.F32);
                assertThat(e.getValue().trainable()).isTrue();
                double max = maxAbs(v);
                boolean zero = name.startsWith("proj_out.") || name.endsWith(".bias") || name.contains("norm.weight")
                        || name.contains("layernorm.weight") || name.startsWith("norm_out.")
                        || name.matches("layers\\.\\d+\\.input_layernorm\\.linear\\..*") || name.equals("context_embedder.0.weight");
                if (zero) {
                    assertThat(max).as(name).isZero();
                } else if (name.endsWith("scale_shift_table")) {
                    assertThat(max).as(name).isGreaterThan(0).isLessThan(8 / Math.sqrt(c.ditHiddenSize()));
                } else if (name.startsWith("timestep_embedder.") || name.startsWith("t_block.") || name.startsWith("context_embedder.")) {
                    assertThat(std(v)).as(name).isBetween(0.015, 0.025);
                } else {
                    int[] s = v.shape();
                    long fanIn = v.numel() / s[0];
                    double bound = Math.sqrt(6.0 / (s[0] + fanIn));
                    assertThat(max).as(name).isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
                }
            }
        }
    }

    @Test
    void textStreamLoadsFromAGemmaCheckpointCutToTheSharedLayers() throws IOException {
        FuseDiT model = new FuseDiT(FuseDiTConfig.read(FIXTURES.resolve("final/transformer/config.json")));
        try (TensorSource gemma = TensorSource.open(FIXTURES.resolve("gemma2-llm/transformer"))) {
            model.loadTextStream(gemma);
            assertThat(model.llm.layers).hasSize(2);
            assertThat(model.llm.layers.get(1).mlp.downProj.weight.get().toDoubleArray())
                    .isEqualTo(gemma.get("model.layers.1.mlp.down_proj.weight").toDoubleArray());
            assertThat(model.llm.namedParameters().values()).allMatch(p -> p.isBound() && !p.trainable());
            assertThat(model.dit.namedParameters().values()).noneMatch(Parameter::isBound);
        }
        try (TensorSource gemma1 = TensorSource.open(FIXTURES.resolve("gemma-llm/transformer"))) {
            assertThatThrownBy(() -> model.loadTextStream(gemma1)).hasMessageContaining("missing keys").hasMessageContaining("pre_feedforward_layernorm");
        }
    }

    @Test
    void buildingTheLargeScaleModelAllocatesNoWeights() throws IOException {
        FuseDiT model = new FuseDiT(ModelSection.read(Path.of("..", "configs", "fusedit", "large-scale.yaml")));
        assertThat(model.dit.parameterCount()).isEqualTo(2_024_828_480L);
        assertThat(model.llm.parameterCount()).isEqualTo(2_614_341_888L);
        assertThat(model.namedParameters().values()).noneMatch(Parameter::isBound);
    }

    private static int[][] rows(Tensor t) {
        int[][] r = new int[t.size(0)][t.size(1)];
        for (int i = 0; i < r.length; i++) for (int j = 0; j < r[i].length; j++) r[i][j] = (int) t.get(i, j);
        return r;
    }

    private static double relativeError(Tensor got, Tensor want) {
        double[] a = got.toDoubleArray(), b = want.toDoubleArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double v : t.toDoubleArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static double std(Tensor t) {
        double[] v = t.toDoubleArray();
        double s = 0, s2 = 0;
        for (double x : v) { s += x; s2 += x * x; }
        double mean = s / v.length;
        return Math.sqrt(s2 / v.length - mean * mean);
    }
}
