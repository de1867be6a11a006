package dev.fusedit.model.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FlowMatchEulerSchedulerTest {
    static final Path SAMPLING = Path.of("..", "fixtures", "parity", "sampling");
    final FlowMatchEulerScheduler sd3 = new FlowMatchEulerScheduler(1000, 3.0);

    @Test
    void twentyFiveStepsGiveTheReferenceSigmas() throws IOException {
        // the 25-step list of docs/reference.md#sampling, as stored (rounded to 6 decimals) in the sampling fixture's meta.json
        JsonNode listed = new ObjectMapper().readTree(SAMPLING.resolve("meta.json").toFile()).get("sigmas_25_steps_for_reference");
        float[] sigmas = sd3.schedule(25).sigmas();
        assertThat(sigmas).hasSize(listed.size()).hasSize(26);
        for (int i = 0; i < sigmas.length; i++) assertThat((double) sigmas[i]).as("sigma " + i).isCloseTo(listed.get(i).asDouble(), within(1e-6));
        assertThat(sigmas[25]).isZero();
    }

    @Test
    void fourStepsMatchTheSamplingFixtureBitForBit() throws IOException {
        FlowMatchEulerScheduler.Schedule s = sd3.schedule(4);
        try (SafeTensorsFile expected = SafeTensorsFile.open(SAMPLING.resolve("expected.safetensors"))) {
            assertThat(s.sigmas()).containsExactly(expected.get("sigmas").toFloatArray());
            assertThat(s.timesteps()).containsExactly(expected.get("timesteps").toFloatArray());
        }
    }

    @Test
    void trainingTableIsTheShiftedLinearGrid() {
        float[] sigmas = sd3.trainingSigmas(), timesteps = sd3.trainingTimesteps();
        assertThat(sigmas).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            double s = (1000 - i) / 1000.0;
            assertThat((double) sigmas[i]).isCloseTo(3 * s / (1 + 2 * s), within(2e-7));
            assertThat(timesteps[i]).isEqualTo(sigmas[i] * 1000f);
        }
        assertThat(sigmas[0]).isEqualTo(1f);
        assertThat((double) sigmas[999]).isCloseTo(0.002994, within(1e-6));
    }

    @Test
    void trainingSigmaIsShiftOfOneMinusFloorOfThousandUOverThousand() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int k = 0; k < 2000; k++) {
            float u = (float) random.nextDouble();
            // torch forms u·1000 in float32 before truncating
            int index = (int) (u * 1000f);
            double s = 1 - index / 1000.0;
            assertThat((double) sd3.trainingSigma(u)).isCloseTo(3 * s / (1 + 2 * s), within(2e-7));
            assertThat(Math.abs(index - Math.floor(1000.0 * u))).isLessThanOrEqualTo(1);
            assertThat(sd3.trainingTimestep(u)).isEqualTo(sd3.trainingSigma(u) * 1000f);
        }
        assertThat(sd3.trainingSigma(0f)).isEqualTo(1f);
        assertThat(sd3.trainingSigma(1f)).isEqualTo(sd3.trainingSigmas()[999]);
        assertThatThrownBy(() -> sd3.trainingSigma(1.5f)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1]");
    }

    @Test
    void eulerStepsAlongTheExactVelocityReachTheData() {
        // x_σ = (1 − σ)·z + σ·ε has velocity ε − z at every σ, so Euler from pure noise lands on z
        Rng rng = new Rng(11);
        Tensor z = rng.normal(2, 3, 5), eps = rng.normal(2, 3, 5);
        float[] zs = z.toFloatArray(), es = eps.toFloatArray(), v = new float[zs.length];
        for (int i = 0; i < v.length; i++) v[i] = es[i] - zs[i];
        Tensor velocity = Tensor.of(v, 2, 3, 5);
        FlowMatchEulerScheduler.Schedule s = sd3.schedule(7);
        Tensor x = eps;
        for (int i = 0; i < s.steps(); i++) {
            Tensor next = s.step(x, velocity, i);
            float[] xs = x.toFloatArray(), ns = next.toFloatArray();
            float dt = s.sigma(i + 1) - s.sigma(i);
            for (int k = 0; k < xs.length; k++) assertThat(ns[k]).isEqualTo(xs[k] + dt * v[k]);
            x = next;
        }
        float[] got = x.toFloatArray();
        for (int i = 0; i < got.length; i++) assertThat((double) got[i]).isCloseTo(zs[i], within(1e-5));
    }

    @Test
    void oneStepGoesFromOneToZero() {
        FlowMatchEulerScheduler.Schedule s = sd3.schedule(1);
        assertThat(s.sigmas()).containsExactly(1f, 0f);
        assertThat(s.timesteps()).containsExactly(1000f);
        assertThatThrownBy(() -> sd3.schedule(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsTheConfigAndRefusesDynamicShifting(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("scheduler_config.json");
        Files.writeString(f, """
                {"_class_name":"FlowMatchEulerDiscreteScheduler","_diffusers_version":"0.32.0",
                 "num_train_timesteps":1000,"shift":3.0,"use_dynamic_shifting":false,"base_shift":0.5,"max_shift":1.15}""");
        FlowMatchEulerScheduler s = FlowMatchEulerScheduler.read(f);
        assertThat(s.shift()).isEqualTo(3.0);
        assertThat(s.stochasticSampling()).isFalse();
        assertThat(s.schedule(4)).isEqualTo(sd3.schedule(4));

        Files.writeString(f, """
                {"_class_name":"FlowMatchEulerDiscreteScheduler","num_train_timesteps":1000,"shift":3.0,"stochastic_sampling":true}""");
        assertThat(FlowMatchEulerScheduler.read(f).stochasticSampling()).isTrue();

        Files.writeString(f, """
                {"_class_name":"FlowMatchEulerDiscreteScheduler","num_train_timesteps":1000,"shift":3.0,"use_dynamic_shifting":true}""");
        assertThatThrownBy(() -> FlowMatchEulerScheduler.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("scheduler_config.json").hasMessageContaining("use_dynamic_shifting");
        assertThatThrownBy(() -> FlowMatchEulerScheduler.read(dir.resolve("absent.json"))).isInstanceOf(IOException.class)
                .hasMessageContaining("absent.json");
    }

    /** Regressions of the fuzz campaign: a step count sized two tables before any check, an infinite shift escaped as IllegalArgumentException. */
    @Test
    void hostileStepCountsAndShiftsAreRefusedNamingTheField(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("scheduler_config.json");
        Files.writeString(f, "{\"num_train_timesteps\": 2147483647, \"shift\": 3.0}");
        assertThatThrownBy(() -> FlowMatchEulerScheduler.read(f)).isInstanceOf(dev.fusedit.tensor.io.FormatException.class)
                .hasMessageContaining("scheduler_config.json: num_train_timesteps: expected 1 to 1000000, got 2147483647");
        Files.writeString(f, "{\"num_train_timesteps\": 1000, \"shift\": 1e999}");
        assertThatThrownBy(() -> FlowMatchEulerScheduler.read(f)).isInstanceOf(dev.fusedit.tensor.io.FormatException.class)
                .hasMessageContaining("shift: expected a positive finite number, got Infinity");
    }

    @Test
    void aStochasticStepRenoisesTheCleanPredictionAndTheLastStepReturnsIt() {
        FlowMatchEulerScheduler.Schedule s = sd3.schedule(5);
        Rng rng = new Rng(11);
        Tensor x = rng.normal(2, 3, 5), v = rng.normal(2, 3, 5), noise = rng.normal(2, 3, 5);
        double[] xs = x.toDoubleArray(), vs = v.toDoubleArray(), ns = noise.toDoubleArray();
        for (int i : new int[] {0, 2, 4}) {
            double sigma = s.sigma(i), next = s.sigma(i + 1);
            double[] got = s.stochasticStep(x, v, noise, i).toDoubleArray();
            for (int k = 0; k < xs.length; k++) {
                double x0 = xs[k] - sigma * vs[k];
                assertThat(got[k]).as("step %d element %d", i, k).isCloseTo((1 - next) * x0 + next * ns[k], within(1e-5));
            }
        }
        assertThat(s.sigma(5)).isZero();
        assertThatThrownBy(() -> s.stochasticStep(x, v, rng.normal(2, 3, 4), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("noise");
    }
}
