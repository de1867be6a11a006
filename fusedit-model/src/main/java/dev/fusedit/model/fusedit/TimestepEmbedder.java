package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.ops.Pointwise;

/**
 * diffusers Timesteps(256, flip_sin_to_cos=True, downscale_freq_shift=0) followed by the
 * reference's nn.Sequential(Linear(256, H), SiLU, Linear(H, H)); the Sequential's indices give
 * the key names "0" and "2".
 */
public final class TimestepEmbedder extends Module {
    public static final int CHANNELS = 256;
    public final Linear linear1, linear2;

    public TimestepEmbedder(int hidden) {
        linear1 = child("0", new Linear(CHANNELS, hidden, true));
        linear2 = child("2", new Linear(hidden, hidden, true));
    }

    /** t [B] (σ·1000) → [B, hidden]. */
    public Tensor forward(Tensor timestep) {
        return linear2.forward(Pointwise.silu(linear1.forward(sinusoidal(timestep))));
    }

    /**
     * [cos(t·f_i) | sin(t·f_i)], f_i = exp(−ln(10000)·i/128), i < 128, every step rounded to
     * float32 as torch computes it, so the angles (up to 1000 rad) round identically: one ulp of
     * f_i moves t·f_i by up to 6e-5 rad, which is visible in the velocity at 1e-5.
     */
    static Tensor sinusoidal(Tensor timestep) {
        if (timestep.dim() != 1) throw new IllegalArgumentException("timestep must be [batch], got " + timestep.dim() + "-d");
        int half = CHANNELS / 2, batch = timestep.size(0);
        float[] freq = new float[half];
        float logPeriod = (float) -Math.log(10000.0);
        for (int i = 0; i < half; i++) freq[i] = torchExp((logPeriod * (float) i) / (float) half);
        float[] out = new float[batch * CHANNELS];
        for (int b = 0; b < batch; b++) {
            float t = (float) timestep.get(b);
            for (int i = 0; i < half; i++) {
                float angle = t * freq[i];
                out[b * CHANNELS + i] = (float) Math.cos(angle);
                out[b * CHANNELS + half + i] = (float) Math.sin(angle);
            }
        }
        return Tensor.of(out, batch, CHANNELS);
    }

    /**
     * float32 exp as torch computes it on CPU (SLEEF's expf_u10, which torch's vectorized exp
     * calls): correct to 1 ulp but not always correctly rounded, and the frequencies above must
     * round like the reference's. Range reduction by ln 2 in two parts, a degree-6 polynomial,
     * then scaling by 2^q; valid for the arguments used here (|d| < 88).
     */
    static float torchExp(float d) {
        int q = (int) Math.rint(d * 1.442695040888963407359924681001892137426645954152985934135449406931f);
        float s = Math.fma((float) q, -0.693145751953125f, d);
        s = Math.fma((float) q, -1.428606765330187045e-06f, s);
        float u = 0.000198527617612853646278381f;
        u = Math.fma(u, s, 0.00139304355252534151077271f);
        u = Math.fma(u, s, 0.00833336077630519866943359f);
        u = Math.fma(u, s, 0.0416664853692054748535156f);
        u = Math.fma(u, s, 0.166666671633720397949219f);
        u = Math.fma(u, s, 0.5f);
        u = 1.0f + Math.fma(s * s, u, s);
        return Math.scalb(u, q);
    }
}
