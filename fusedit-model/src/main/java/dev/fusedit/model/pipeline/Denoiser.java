package dev.fusedit.model.pipeline;

import dev.fusedit.model.fusedit.FuseDiTCheckpoint;
import dev.fusedit.model.gemma.GemmaModel;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryPool;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.JoinSplit;
import dev.fusedit.tensor.random.Rng;

import java.util.Arrays;

/**
 * The reference pipeline's denoising loop (docs/reference.md#sampling) on token ids, without
 * tokenizer, noise or decoding: the text is encoded once and reused for every step and for both
 * halves of the guidance batch; each step runs the model on cat[x, x] against [uncond ; cond],
 * mixes v = v_u + g·(v_c − v_u) and takes the Euler step x + (σ_{i+1} − σ_i)·v in float32.
 * With g ≤ 1 only the conditional rows run. Each step's temporaries live in their own memory
 * scope, so memory stays flat over the steps. The model side is a {@link VelocityModel}, given at
 * construction; closing the denoiser closes it.
 */
public final class Denoiser implements AutoCloseable {
    private final VelocityModel model;
    private final FlowMatchEulerScheduler scheduler;

    /** The final latents and the σ / timestep schedule they were computed with. */
    public record Result(Tensor latents, FlowMatchEulerScheduler.Schedule schedule) {}

    public Denoiser(VelocityModel model, FlowMatchEulerScheduler scheduler) {
        this.model = model;
        this.scheduler = scheduler;
    }

    /** A denoiser for a loaded transformer; textEncoder is needed (only) for a shallow DiT. */
    public static Denoiser of(FuseDiTCheckpoint transformer, GemmaModel textEncoder, FlowMatchEulerScheduler scheduler) {
        if (transformer.isFuseDiT()) return new Denoiser(VelocityModel.of(transformer.fuseDiT()), scheduler);
        if (textEncoder == null)
            throw new IllegalArgumentException("a shallow DiT (model_type \"DiT\") needs the Gemma text encoder whose hidden states it reads");
        return new Denoiser(VelocityModel.of(transformer.dit(), textEncoder), scheduler);
    }

    public FlowMatchEulerScheduler scheduler() {
        return scheduler;
    }

    /** The deterministic (Euler) loop: {@link #denoise(Tensor, Tensor, int[][], double, int, Rng[], SamplingListener)} without step noise. */
    public Result denoise(Tensor initialLatents, Tensor ids, int[][] mask, double guidance, int steps, SamplingListener listener) {
        return denoise(initialLatents, ids, mask, guidance, steps, null, listener);
    }

    /**
     * Runs the loop from initialLatents [P, C, H, W]. With guidance &gt; 1, ids [2P, L] (I64) and
     * mask [2P][L] hold the P unconditional rows first, then the P conditional ones; otherwise
     * only the P conditional rows. stepNoise null takes Euler steps; otherwise it holds one
     * generator per latent row and every step is a stochastic one
     * ({@link FlowMatchEulerScheduler.Schedule#stochasticStep}) with row r's fresh noise drawn
     * from stepNoise[r], so an image does not depend on the batch it is drawn in. The result's
     * latents are a new F32 tensor in the caller's memory scope; listener (may be null) hears
     * each finished step.
     */
    public Result denoise(Tensor initialLatents, Tensor ids, int[][] mask, double guidance, int steps, Rng[] stepNoise, SamplingListener listener) {
        return denoise(initialLatents, ids, mask, guidance, Double.POSITIVE_INFINITY, steps, stepNoise, listener);
    }

    /**
     * {@link #denoise(Tensor, Tensor, int[][], double, int, Rng[], SamplingListener)} with guidance
     * only at the steps whose σ is at most guidanceMaxSigma; the steps above it take the conditional
     * velocity alone (the unconditional half is still computed: the text batch stays the same).
     */
    public Result denoise(Tensor initialLatents, Tensor ids, int[][] mask, double guidance, double guidanceMaxSigma, int steps, Rng[] stepNoise,
                          SamplingListener listener) {
        if (initialLatents.dim() != 4) throw new IllegalArgumentException("initial latents must be [P, C, H, W], got " + Arrays.toString(initialLatents.shape()));
        if (!Double.isFinite(guidance)) throw new IllegalArgumentException("guidance must be a finite number, got " + guidance);
        int p = initialLatents.size(0);
        if (stepNoise != null && stepNoise.length != p)
            throw new IllegalArgumentException("expected one step-noise generator per latent row (" + p + "), got " + stepNoise.length);
        boolean cfg = guidance > 1;
        int rows = cfg ? 2 * p : p;
        if (ids.dim() != 2 || ids.size(0) != rows || mask.length != rows)
            throw new IllegalArgumentException("for " + p + " latents " + (cfg ? "with guidance " + guidance + " the text must be [2P = " + rows
                    + ", L] (unconditional rows first)" : "without guidance the text must be [P = " + rows + ", L]") + ", got ids "
                    + Arrays.toString(ids.shape()) + " and " + mask.length + " mask rows");
        FlowMatchEulerScheduler.Schedule schedule = scheduler.schedule(steps);
        Tensor x = Tensor.zeros(DType.F32, initialLatents.shape()).copyFrom(initialLatents);
        // every step allocates the same tensors: a pool hands the previous step's (already mapped)
        // memory to the next instead of fresh pages from the OS each step
        try (GradMode ignored = GradMode.noGrad(); MemoryPool stepMemory = new MemoryPool()) {
            VelocityModel.Velocity velocity = model.encode(ids, mask);
            for (int i = 0; i < steps; i++) {
                try (MemoryScope step = MemoryScope.open(stepMemory)) {
                    Tensor input = cfg ? JoinSplit.cat(0, x, x) : x;
                    Tensor t = Tensor.full(DType.F32, schedule.timestep(i), rows);
                    Tensor v = velocity.at(input, t);
                    if (cfg) {
                        Tensor vu = v.narrow(0, 0, p), vc = v.narrow(0, p, p);
                        v = schedule.sigma(i) <= guidanceMaxSigma ? Pointwise.add(vu, Pointwise.mul(Pointwise.sub(vc, vu), guidance)) : vc;
                    }
                    x.copyFrom(stepNoise == null ? schedule.step(x, v, i) : schedule.stochasticStep(x, v, rowNoise(stepNoise, x.shape()), i));
                }
                if (listener != null) listener.onStep(i + 1, steps);
            }
        }
        return new Result(x, schedule);
    }

    /** One fresh normal draw per row, each from that row's generator, stacked to the latents' shape. */
    private static Tensor rowNoise(Rng[] rows, int[] shape) {
        Tensor noise = Tensor.zeros(DType.F32, shape);
        int[] row = Arrays.copyOfRange(shape, 1, shape.length);
        for (int r = 0; r < rows.length; r++) noise.select(0, r).copyFrom(rows[r].normal(row));
        return noise;
    }

    /** Closes the model side (frees an accelerator's copy of the weights, if one was made). */
    @Override
    public void close() {
        model.close();
    }
}
