package dev.fusedit.tornado.plan;

import dev.fusedit.layers.Parameter;
import dev.fusedit.model.fusedit.DeviceVelocities;
import dev.fusedit.model.fusedit.DeviceVelocity;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.ScalarKernels;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.tornado.DeviceUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.fusedit.tensor.kernels.KernelBuffers.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-block FuseDiT plan ({@link TornadoFuseDiT}) against the CPU forward of the same random
 * model ({@link FuseDiT#velocity} on the scalar oracle), with odd sizes everywhere (3 heads over
 * 1 kv head, 15 image tokens, text of 5 with padding, batch 2 as under guidance); and what
 * crosses to the device per step, by TornadoVM's profiler. One plan serves the class (it
 * compiles once, the slow part on PoCL).
 */
class TornadoFuseDiTTest extends DeviceUnderTest {
    /** The header in front of a TornadoVM array's data, which travels with it. */
    private static final long ARRAY_HEADER = TornadoNativeArray.ARRAY_HEADER;
    private static final int BATCH = 2, CHANNELS = 3, HEIGHT = 10, WIDTH = 6, TEXT = 5, PATCH = 2;
    private FuseDiT model;
    private TornadoFuseDiT onDevice;

    /** The test model's config.json in dir, with the given timestep_conditioning (JSON). */
    private static Path writeConfig(Path dir, String timestepConditioning) throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"model_type": "FuseDiT",
                 "base_config": {"model_type": "gemma2", "vocab_size": 11, "hidden_size": 20, "intermediate_size": 36,
                   "num_hidden_layers": 2, "num_attention_heads": 3, "num_key_value_heads": 1, "head_dim": 8,
                   "query_pre_attn_scalar": 8},
                 "attention": "self", "pos_embed": "2d-rope", "timestep_conditioning": %s, "qk_norm": true,
                 "sandwich_norm": true, "shared_attention_layers": "all", "dit_num_hidden_layers": 2, "dit_hidden_size": 28,
                 "patch_size": %d, "in_channels": %d, "out_channels": %d, "sample_size": 6}
                """.formatted(timestepConditioning, PATCH, CHANNELS, CHANNELS));
        return config;
    }

    @BeforeAll
    void model(@TempDir Path dir) throws IOException {
        Path config = writeConfig(dir, "null");
        model = new FuseDiT(FuseDiTConfig.read(config));
        Rng rng = new Rng(11);
        for (Parameter p : model.namedParameters().values()) p.set(Pointwise.mul(rng.normal(p.shape()), 0.3));
        if (device != null) onDevice = new TornadoFuseDiT(model, device, true);
    }

    @AfterAll
    void closePlan() {
        if (onDevice != null) onDevice.close();
    }

    private TextContext text(long seed, int[][] mask) {
        Tensor ids = Tensor.zeros(DType.I64, BATCH, TEXT);
        for (int b = 0; b < BATCH; b++)
            for (int j = 0; j < TEXT; j++) ids.set(mask[b][j] == 1 ? 1 + (seed * 7 + b * 5 + j * 3) % 10 : 0, b, j);
        return model.encodeText(ids, mask);
    }

    private static Tensor latents(long seed) {
        return new Rng(seed).normal(BATCH, CHANNELS, HEIGHT, WIDTH);
    }

    private void assertSameAsCpu(Tensor latents, TextContext text) {
        Tensor t = Tensor.full(DType.F32, 500.0, BATCH);
        Tensor expected = model.velocity(latents, t, text).contiguous();
        Tensor actual = onDevice.velocity(latents, t, text).contiguous();
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertClose("device velocity", actual.data(), expected.data(), expected.numel(), 1e-4);
    }

    @Test
    void samplingFindsTheBlockGraphsThroughTheServiceSeamAndNamesWhyAModelCannotUseThem() throws IOException {
        DeviceVelocities.Choice found = DeviceVelocities.open(model, device);
        try (DeviceVelocity v = found.velocity()) {
            assertThat(v).isInstanceOf(TornadoFuseDiT.class);
            assertThat(found.logLine()).contains("per-block task graphs");
        }
        FuseDiTConfig adaLn = FuseDiTConfig.read(writeConfig(Files.createTempDirectory("adaln"), "\"adaln-zero\""));
        DeviceVelocities.Choice refused = DeviceVelocities.open(new FuseDiT(adaLn), device);
        assertThat(refused.velocity()).isNull();
        assertThat(refused.logLine()).contains("kernel by kernel").contains("timestep_conditioning ADALN_ZERO");
        assertThat(DeviceVelocities.open(model, ScalarKernels.F32).logLine()).isNull();
    }

    @Test
    void blockGraphsComputeTheCpuForwardAcrossStepsAndPrompts() {
        try (var oracle = KernelProvider.use(ScalarKernels.F32); GradMode ignored = GradMode.noGrad()) {
            TextContext first = text(1, new int[][] {{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}});
            assertSameAsCpu(latents(2), first);
            // the next step: new latents, the same text (already on the device)
            assertSameAsCpu(latents(3), first);
            // a new prompt batch: its keys, values, mask and RoPE offsets replace the old ones
            assertSameAsCpu(latents(4), text(5, new int[][] {{1, 1, 0, 0, 0}, {1, 1, 1, 1, 0}}));
        }
    }

    @Test
    void weightsAreSentOnceAndAStepMovesOnlyTheLatentsAndTheVelocity() {
        try (var oracle = KernelProvider.use(ScalarKernels.F32); GradMode ignored = GradMode.noGrad()) {
            long weightBytes = 0;
            for (Parameter p : model.dit.namedParameters().values()) weightBytes += p.get().numel() * Float.BYTES;
            long latentBytes = (long) BATCH * CHANNELS * HEIGHT * WIDTH * Float.BYTES;
            TextContext prompt = text(6, new int[][] {{1, 1, 1, 1, 0}, {1, 1, 0, 0, 0}});
            long textBytes = 0;
            for (int i = 0; i < prompt.keys().size(); i++) textBytes += (prompt.keys().get(i).numel() + prompt.values().get(i).numel()) * Float.BYTES;

            Tensor t = Tensor.full(DType.F32, 500.0, BATCH);
            onDevice.velocity(latents(7), t, prompt);
            FuseDiTGraphs.Transfers first = onDevice.lastTransfers();
            onDevice.velocity(latents(8), t, prompt);
            FuseDiTGraphs.Transfers step = onDevice.lastTransfers();
            onDevice.velocity(latents(9), t, prompt);
            FuseDiTGraphs.Transfers again = onDevice.lastTransfers();
            System.out.printf("transfers: weights %d B, latents %d B, text K/V %d B; first step in %d out %d; later steps in %d out %d, %d out %d%n",
                    weightBytes, latentBytes, textBytes, first.toDevice(), first.toHost(), step.toDevice(), step.toHost(), again.toDevice(), again.toHost());

            // The first execution of each graph sends its weights (this prompt's text context may or may not be new).
            assertThat(first.toDevice()).isGreaterThanOrEqualTo(weightBytes + latentBytes);
            // Later steps: the latents in and the velocity out, each with TornadoVM's array header (16 B), plus per kernel
            // launch the argument frame TornadoVM writes (24 B on OpenCL): nothing that grows with the weights or the text.
            assertThat(step).isEqualTo(again);
            long perLaunch = (step.toDevice() - latentBytes - ARRAY_HEADER) / onDevice.tasksPerStep();
            System.out.printf("transfers: %d launches per step, %d B each besides the latents%n", onDevice.tasksPerStep(), perLaunch);
            assertThat(step.toDevice()).isEqualTo(latentBytes + ARRAY_HEADER + perLaunch * onDevice.tasksPerStep());
            assertThat(perLaunch).isBetween(0L, 64L);
            assertThat(step.toHost()).isEqualTo(latentBytes + ARRAY_HEADER);
            // A new prompt batch adds its text keys and values (plus mask and RoPE tables), never the weights again.
            onDevice.velocity(latents(10), t, text(12, new int[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}));
            FuseDiTGraphs.Transfers newPrompt = onDevice.lastTransfers();
            System.out.printf("transfers: new prompt step in %d out %d%n", newPrompt.toDevice(), newPrompt.toHost());
            assertThat(newPrompt.toDevice()).isGreaterThan(step.toDevice() + textBytes).isLessThan(weightBytes);
        }
    }
}
