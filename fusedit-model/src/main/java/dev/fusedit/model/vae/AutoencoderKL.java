package dev.fusedit.model.vae;

import dev.fusedit.layers.Conv2d;
import dev.fusedit.layers.Module;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.random.Rng;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * diffusers AutoencoderKL (state-dict names encoder.*, decoder.*, quant_conv.*, post_quant_conv.*).
 * The transformer works in "transformer space": (vae latent − shift) · scale; {@link #decode} and
 * {@link #toTransformerSpace} convert, {@link #decodeRaw} and {@link #encode} do not.
 *
 * <p>When no graph is recorded (gradient mode off, or a frozen VAE on an input that needs no gradient) the
 * images of a batch go through one at a time, each in its own memory scope, and every block frees
 * its temporaries as soon as it is done ({@link ScopedTemporaries}): the 3×3 convolutions unfold their input
 * (im2col, 9× the activation), 2.4 GB for one 512×512 image at 256 channels, so neither a whole batch
 * nor a whole decode's temporaries can be held at once.
 */
public final class AutoencoderKL extends Module {
    private final VaeConfig config;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv, postQuantConv;

    public AutoencoderKL(VaeConfig config) {
        this.config = config;
        int latent = config.latentChannels();
        encoder = child("encoder", new Encoder(config));
        decoder = child("decoder", new Decoder(config));
        quantConv = config.useQuantConv() ? child("quant_conv", new Conv2d(2 * latent, 2 * latent, 1, 1, 0, true)) : null;
        postQuantConv = config.usePostQuantConv() ? child("post_quant_conv", new Conv2d(latent, latent, 1, 1, 0, true)) : null;
    }

    public VaeConfig config() {
        return config;
    }

    public Encoder encoder() {
        return encoder;
    }

    public Decoder decoder() {
        return decoder;
    }

    /** Transformer-space latents → VAE latents: z / scaling_factor + shift_factor. */
    public Tensor toDecoderInput(Tensor latents) {
        return Pointwise.add(Pointwise.div(latents, config.scalingFactor()), config.shiftFactor());
    }

    /** VAE latents → transformer space: (z − shift_factor) · scaling_factor (the training-side latents). */
    public Tensor toTransformerSpace(Tensor vaeLatents) {
        return Pointwise.mul(Pointwise.sub(vaeLatents, config.shiftFactor()), config.scalingFactor());
    }

    /** Transformer-space latents [B, latent, h, w] → images [B, out, h·f, w·f] in about [−1, 1] (unclamped). */
    public Tensor decode(Tensor latents) {
        return decodeRaw(toDecoderInput(latents));
    }

    /** VAE latents (already unscaled and unshifted) → images. */
    public Tensor decodeRaw(Tensor vaeLatents) {
        requireImageBatch(vaeLatents, config.latentChannels(), "decoder input");
        int f = config.downsampleFactor();
        int[] outShape = {vaeLatents.size(0), config.outChannels(), vaeLatents.size(2) * f, vaeLatents.size(3) * f};
        return perImage(vaeLatents, outShape, z -> decoder.forward(postQuantConv == null ? z : postQuantConv.forward(z)));
    }

    /** Images [B, in, H, W] in [−1, 1] (H and W multiples of the downsampling factor) → the latent distribution. */
    public LatentDistribution encode(Tensor image) {
        requireImageBatch(image, config.inChannels(), "encoder input");
        int f = config.downsampleFactor();
        if (image.size(2) % f != 0 || image.size(3) % f != 0)
            throw new IllegalArgumentException("encoder input height and width must be multiples of " + f + ", got " + Arrays.toString(image.shape()));
        int[] outShape = {image.size(0), 2 * config.latentChannels(), image.size(2) / f, image.size(3) / f};
        Tensor moments = perImage(image, outShape, x -> {
            Tensor m = encoder.forward(x);
            return quantConv == null ? m : quantConv.forward(m);
        });
        return LatentDistribution.fromMoments(moments);
    }

    /** The training latents: (sample of encode(image) − shift) · scale. */
    public Tensor encodeForTraining(Tensor image, Rng rng) {
        return toTransformerSpace(encode(image).sample(rng));
    }

    private static void requireImageBatch(Tensor x, int channels, String what) {
        if (x.dim() != 4 || x.size(1) != channels)
            throw new IllegalArgumentException("VAE " + what + " must be [batch, " + channels + ", height, width], got " + Arrays.toString(x.shape()));
    }

    /** Whether a forward pass on x would record a graph: gradient mode on and x or a trainable weight wanting gradients. */
    private boolean records(Tensor x) {
        if (!GradMode.isEnabled()) return false;
        if (x.requiresGrad()) return true;
        for (var p : namedParameters().values()) if (p.trainable()) return true;
        return false;
    }

    /**
     * f applied to the whole batch when a graph is recorded; otherwise image by image with gradient
     * mode off (so that {@link ScopedTemporaries} frees as it goes), each image's remaining temporaries freed
     * before the next one starts.
     */
    private Tensor perImage(Tensor x, int[] outShape, UnaryOperator<Tensor> f) {
        int batch = x.size(0);
        if (records(x) || batch == 0) return f.apply(x);
        Tensor out = Tensor.zeros(x.dtype() == DType.F64 ? DType.F64 : DType.F32, outShape);
        try (GradMode ignored = GradMode.noGrad()) {
            for (int b = 0; b < batch; b++)
                try (MemoryScope scope = MemoryScope.open()) {
                    out.narrow(0, b, 1).copyFrom(f.apply(x.narrow(0, b, 1)));
                }
        }
        return out;
    }
}
