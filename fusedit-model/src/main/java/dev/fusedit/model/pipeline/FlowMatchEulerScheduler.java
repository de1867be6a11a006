package dev.fusedit.model.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * diffusers 0.32 FlowMatchEulerDiscreteScheduler without dynamic shifting, with the same float32 /
 * float64 rounding at every step so that sigmas and timesteps come out bit for bit:
 * <ul>
 * <li>training table (float32): t = N, N−1, …, 1; s = t/N; σ = shift·s / (1 + (shift−1)·s); timesteps = σ·N;
 * <li>sampling (set_timesteps): t = linspace(σmax·N, σmin·N, steps) in float64, s = t/N shifted
 *     <em>again</em> in float64, rounded to float32, then 0 appended; timesteps = σ·N in float32;
 * <li>Euler step: x + (σ_{i+1} − σ_i)·v in float32;
 * <li>with {@code stochastic_sampling} (a later diffusers option, off by default) each step instead
 *     re-noises its prediction of the clean sample: x0 = x − σ_i·v, then (1 − σ_{i+1})·x0 + σ_{i+1}·ε with
 *     fresh noise ε. Every model input is then "clean sample + Gaussian noise of level σ", the
 *     distribution training saw, which matters for a model without timestep conditioning: it reads
 *     the noise level off its input.
 * </ul>
 */
public final class FlowMatchEulerScheduler {
    /** Far above any published schedule (1000); the tables cost 8 bytes a step. */
    static final int MAX_TRAIN_TIMESTEPS = 1_000_000;

    private final int numTrainTimesteps;
    private final double shift;
    private final boolean stochasticSampling;
    private final float[] trainingSigmas, trainingTimesteps;

    public FlowMatchEulerScheduler(int numTrainTimesteps, double shift) {
        this(numTrainTimesteps, shift, false);
    }

    public FlowMatchEulerScheduler(int numTrainTimesteps, double shift, boolean stochasticSampling) {
        if (numTrainTimesteps < 1) throw new IllegalArgumentException("num_train_timesteps must be >= 1, got " + numTrainTimesteps);
        if (!(shift > 0) || Double.isInfinite(shift)) throw new IllegalArgumentException("shift must be a positive number, got " + shift);
        this.numTrainTimesteps = numTrainTimesteps;
        this.shift = shift;
        this.stochasticSampling = stochasticSampling;
        float n = numTrainTimesteps, fShift = (float) shift, fShiftMinusOne = (float) (shift - 1);
        trainingSigmas = new float[numTrainTimesteps];
        trainingTimesteps = new float[numTrainTimesteps];
        for (int i = 0; i < numTrainTimesteps; i++) {
            // torch float32 ops with Python scalars: every operation rounds to float32
            float s = (numTrainTimesteps - i) / n;
            float sigma = (fShift * s) / (1f + fShiftMinusOne * s);
            trainingSigmas[i] = sigma;
            trainingTimesteps[i] = sigma * n;
        }
    }

    /** Reads scheduler/scheduler_config.json; settings this implementation does not follow are refused by name. */
    public static FlowMatchEulerScheduler read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "scheduler config not found");
        JsonNode root = ConfigFiles.readJson(file);
        return from(new ConfigReader(file, "", root));
    }

    public static FlowMatchEulerScheduler from(ConfigReader c) throws IOException {
        String cls = c.optString("_class_name", "FlowMatchEulerDiscreteScheduler");
        c.check(cls.equals("FlowMatchEulerDiscreteScheduler"), "_class_name", "expected \"FlowMatchEulerDiscreteScheduler\", got \"" + cls + "\"");
        for (String flag : new String[] {"use_dynamic_shifting", "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "invert_sigmas"})
            c.check(!c.optBoolean(flag, false), flag, "only false is supported (the FuseDiT / SD3 schedule uses a fixed shift)");
        c.check(!c.has("shift_terminal"), "shift_terminal", "only null is supported");
        int n = c.optInt("num_train_timesteps", 1000);
        // the schedule holds a table of n values: bounded before it is allocated (diffusers' models use 1000)
        c.check(n > 0 && n <= MAX_TRAIN_TIMESTEPS, "num_train_timesteps", "expected 1 to " + MAX_TRAIN_TIMESTEPS + ", got " + n);
        double shift = c.optDouble("shift", 1.0);
        c.check(shift > 0 && Double.isFinite(shift), "shift", "expected a positive finite number, got " + shift);
        return new FlowMatchEulerScheduler(n, shift, c.optBoolean("stochastic_sampling", false));
    }

    public int numTrainTimesteps() {
        return numTrainTimesteps;
    }

    public double shift() {
        return shift;
    }

    /** Whether sampling re-noises each step's clean-sample prediction instead of taking the Euler step (diffusers' stochastic_sampling). */
    public boolean stochasticSampling() {
        return stochasticSampling;
    }

    /** The training table's σ, from σ(N) = 1 down to σ(1); index i belongs to timesteps()[i]. */
    public float[] trainingSigmas() {
        return trainingSigmas.clone();
    }

    /** scheduler.timesteps after init: σ·N for each entry of {@link #trainingSigmas()}. */
    public float[] trainingTimesteps() {
        return trainingTimesteps.clone();
    }

    /**
     * The σ training uses for a uniform draw u ∈ [0, 1) (u = sigmoid(N(0,1)) for logit-normal
     * sampling): index = floor(u·N) with u·N rounded to float32 as torch computes it, so
     * σ = shift(1 − floor(N·u)/N). A u that rounds to 1 (sigmoid of a large normal) takes the last
     * entry instead of failing as the reference's index would.
     */
    public float trainingSigma(float u) {
        if (!(u >= 0f && u <= 1f)) throw new IllegalArgumentException("u must lie in [0, 1], got " + u);
        int index = Math.min((int) (u * (float) numTrainTimesteps), numTrainTimesteps - 1);
        return trainingSigmas[index];
    }

    /** The timestep value that goes with {@link #trainingSigma(float)} for the same u. */
    public float trainingTimestep(float u) {
        return trainingSigma(u) * numTrainTimesteps;
    }

    /** The sampling schedule for {@code steps} Euler steps (set_timesteps). */
    public Schedule schedule(int steps) {
        if (steps < 1) throw new IllegalArgumentException("the number of inference steps must be >= 1, got " + steps);
        // sigma_max / sigma_min are the table's float32 ends as Python floats; _sigma_to_t multiplies in float64
        double start = (double) trainingSigmas[0] * numTrainTimesteps;
        double stop = (double) trainingSigmas[numTrainTimesteps - 1] * numTrainTimesteps;
        float[] sigmas = new float[steps + 1];
        float[] timesteps = new float[steps];
        double step = steps > 1 ? (stop - start) / (steps - 1) : 0;
        for (int i = 0; i < steps; i++) {
            // numpy linspace: i·step + start, with the endpoint set exactly
            double t = steps > 1 && i == steps - 1 ? stop : i * step + start;
            double s = t / numTrainTimesteps;
            sigmas[i] = (float) (shift * s / (1 + (shift - 1) * s));
            timesteps[i] = sigmas[i] * (float) numTrainTimesteps;
        }
        sigmas[steps] = 0f;
        return new Schedule(sigmas, timesteps);
    }

    /**
     * The σ values (steps + 1 of them, ending in 0) and the timesteps passed to the model (steps).
     * Arrays are copied in and out.
     */
    public record Schedule(float[] sigmas, float[] timesteps) {
        public Schedule {
            sigmas = sigmas.clone();
            timesteps = timesteps.clone();
            if (sigmas.length != timesteps.length + 1)
                throw new IllegalArgumentException("a schedule has one more sigma than timesteps, got " + sigmas.length + " and " + timesteps.length);
        }

        public int steps() {
            return timesteps.length;
        }

        public float sigma(int i) {
            return sigmas[i];
        }

        public float timestep(int i) {
            return timesteps[i];
        }

        @Override
        public float[] sigmas() {
            return sigmas.clone();
        }

        @Override
        public float[] timesteps() {
            return timesteps.clone();
        }

        /**
         * One Euler step i: x + (σ_{i+1} − σ_i)·v, in float32 (the product rounded, then the sum),
         * returned as a new F32 tensor of x's shape; v must have x's shape.
         */
        public Tensor step(Tensor x, Tensor v, int i) {
            requireStep(x, v, i);
            float dt = sigmas[i + 1] - sigmas[i];
            float[] xs = x.contiguous().toFloatArray(), vs = v.contiguous().toFloatArray();
            for (int k = 0; k < xs.length; k++) xs[k] = xs[k] + dt * vs[k];
            return Tensor.of(xs, x.shape());
        }

        /**
         * One stochastic step i (diffusers' stochastic_sampling): x0 = x − σ_i·v, then
         * (1 − σ_{i+1})·x0 + σ_{i+1}·noise, in float32; noise has x's shape. The last step
         * (σ = 0) returns x0 itself.
         */
        public Tensor stochasticStep(Tensor x, Tensor v, Tensor noise, int i) {
            requireStep(x, v, i);
            if (!Arrays.equals(x.shape(), noise.shape()))
                throw new IllegalArgumentException("sample " + Arrays.toString(x.shape()) + " and noise " + Arrays.toString(noise.shape()) + " must have the same shape");
            float sigma = sigmas[i], next = sigmas[i + 1];
            float[] xs = x.contiguous().toFloatArray(), vs = v.contiguous().toFloatArray(), ns = noise.contiguous().toFloatArray();
            for (int k = 0; k < xs.length; k++) {
                float x0 = xs[k] - sigma * vs[k];
                xs[k] = (1f - next) * x0 + next * ns[k];
            }
            return Tensor.of(xs, x.shape());
        }

        private void requireStep(Tensor x, Tensor v, int i) {
            if (i < 0 || i >= steps()) throw new IllegalArgumentException("step index must be in [0, " + steps() + "), got " + i);
            if (!Arrays.equals(x.shape(), v.shape()))
                throw new IllegalArgumentException("sample " + Arrays.toString(x.shape()) + " and velocity " + Arrays.toString(v.shape()) + " must have the same shape");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Schedule s && Arrays.equals(sigmas, s.sigmas) && Arrays.equals(timesteps, s.timesteps);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(sigmas) * 31 + Arrays.hashCode(timesteps);
        }

        @Override
        public String toString() {
            return "Schedule[sigmas " + Arrays.toString(sigmas) + ", timesteps " + Arrays.toString(timesteps) + "]";
        }
    }
}
