package dev.fusedit.model.fusedit;

import dev.fusedit.layers.Conv2d;
import dev.fusedit.layers.Linear;
import dev.fusedit.layers.Module;
import dev.fusedit.layers.Parameter;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.layers.RopeTables;
import dev.fusedit.model.fusedit.FuseDiTConfig.TimestepConditioning;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.random.Rng;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.JoinSplit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The diffusion transformer stream (the reference's class DiT): patch embedding, timestep
 * conditioning, the DiT layers, the output norm, proj_out and unpatchify. FuseDiT holds one as
 * its {@code dit} child and drives the layers itself; as a model of its own (model_type "DiT",
 * the shallow-fusion baselines) it reads frozen-LLM hidden states through its context embedder,
 * see {@link #velocity(Tensor, Tensor, Tensor, int[][])}.
 */
public final class DiT extends Module {
    public final FuseDiTConfig config;
    public final List<DiTLayer> layers;
    public final PatchEmbed patchEmbed;
    public final TimestepEmbedder timestepEmbedder;
    public final TimestepBlock tBlock;
    public final Parameter scaleShiftTable;
    public final ConditionEmbedder conditionEmbedder;
    public final ContextEmbedder contextEmbedder;
    public final AdaLayerNormOut adaNormOut;
    public final RmsNorm normOut;
    public final Linear projOut;
    /** long_skips: for each layer of the second half, the Linear that reads [x ; its mirror layer's output] (empty when off). */
    public final List<Linear> skipLinears;
    /** output_conv: the 3x3 convolution added to the unpatchified output (null when off). */
    public final Conv2d convOut;

    /** The timestep embedder's output (null without conditioning) and the conditioning the layers read. */
    public record Conditioning(Tensor embedding, Tensor temb) {}

    public DiT(FuseDiTConfig c) {
        this.config = c;
        int h = c.ditHiddenSize();
        double eps = c.base().rmsNormEps();
        TimestepConditioning tc = c.timestepConditioning();
        List<DiTLayer> list = new ArrayList<>();
        for (int i = 0; i < c.ditNumHiddenLayers(); i++) list.add(new DiTLayer(c));
        layers = childList("layers", list);
        patchEmbed = child("patch_embed", new PatchEmbed(c));
        timestepEmbedder = tc != TimestepConditioning.NONE ? child("timestep_embedder", new TimestepEmbedder(h)) : null;
        tBlock = tc == TimestepConditioning.ADALN_SINGLE ? child("t_block", new TimestepBlock(h)) : null;
        scaleShiftTable = tc == TimestepConditioning.ADALN_SINGLE ? parameter("scale_shift_table", 2 * h) : null;
        conditionEmbedder = c.textModulationEmbedsDim() > 0 ? child("condition_embedder", new ConditionEmbedder(c.textModulationEmbedsDim(), h, eps)) : null;
        contextEmbedder = c.modelType() == FuseDiTConfig.ModelType.DIT ? child("context_embedder", new ContextEmbedder(c.textHiddenSize(), h, eps)) : null;
        if (tc == TimestepConditioning.ADALN_ZERO) {
            adaNormOut = child("norm_out", new AdaLayerNormOut(h, eps));
            normOut = null;
        } else {
            adaNormOut = null;
            normOut = child("norm_out", RmsNorm.gemma(h, eps));
        }
        projOut = child("proj_out", new Linear(h, c.patchSize() * c.patchSize() * c.outChannels(), true));
        List<Linear> skips = new ArrayList<>();
        if (c.longSkips()) for (int i = 0; i < c.ditNumHiddenLayers() / 2; i++) skips.add(new Linear(2 * h, h, true));
        skipLinears = skips.isEmpty() ? List.of() : childList("skip_linears", skips);
        convOut = c.outputConv() ? child("conv_out", new Conv2d(c.outChannels(), c.outChannels(), 3, 1, 1, true)) : null;
    }

    /**
     * Layer i's input. With long skips (U-ViT), the layers of the first half keep their outputs
     * and each layer of the second half reads its mirror's, the last layer the first's:
     * skip_linear([x ; output of layer L-1-i]). An odd middle layer has none.
     *
     * @param outputs the outputs of layers 0, 1, ... so far, as far as {@link #keepsOutput} kept them
     */
    public Tensor layerInput(int i, Tensor x, List<Tensor> outputs) {
        int first = layers.size() - skipLinears.size();
        if (i < first) return x;
        return skipLinears.get(i - first).forward(JoinSplit.cat(2, x, outputs.get(layers.size() - 1 - i)));
    }

    /** Whether layer i's output is read again by a long skip. */
    public boolean keepsOutput(int i) {
        return i < skipLinears.size();
    }

    /**
     * Timestep conditioning for timestep [B] (σ·1000; ignored without conditioning), plus the
     * text-modulation embedding [B, E] when the config has a condition embedder (else null).
     */
    public Conditioning condition(Tensor timestep, Tensor modulationEmbeds) {
        if (timestepEmbedder == null) return new Conditioning(null, null);
        Tensor e = timestepEmbedder.forward(timestep);
        if (conditionEmbedder != null) {
            if (modulationEmbeds == null) throw new IllegalArgumentException("this model needs text modulation embeddings (text_modulation_embeds_dim is set)");
            e = Pointwise.add(e, conditionEmbedder.forward(modulationEmbeds));
        }
        return new Conditioning(e, tBlock != null ? tBlock.forward(e) : e);
    }

    /** Image tokens [B, N, H]: patch embedding (+ APE), plus temb under additive conditioning. */
    public Tensor embedImage(Tensor latents, Conditioning cond) {
        Tensor x = patchEmbed.forward(latents);
        if (config.timestepConditioning() == TimestepConditioning.ADDITION) x = Pointwise.add(x, cond.temb().unsqueeze(1));
        return x;
    }

    public Modulation modulation(int layer, Conditioning cond) {
        return layers.get(layer).modulation(cond.temb());
    }

    /** Output norm (+ modulation), proj_out and unpatchify of image tokens x [B, h·w, H] → [B, C_out, h·p, w·p]. */
    public Tensor head(Tensor x, Conditioning cond, int h, int w) {
        if (adaNormOut != null) {
            x = adaNormOut.forward(x, cond.temb());
        } else {
            x = normOut.forward(x);
            if (scaleShiftTable != null) {
                // adaLN-single's head adds the timestep embedder output (not t_block's) tiled twice.
                Tensor e = cond.embedding();
                List<Tensor> c = JoinSplit.chunk(Pointwise.add(scaleShiftTable.get(), JoinSplit.cat(1, e, e)), 2, 1);
                x = Modulation.modulate(x, c.get(0), c.get(1));
            }
        }
        Tensor out = PatchEmbed.unpatchify(projOut.forward(x), h, w, config.patchSize(), config.outChannels());
        // output_conv mixes each pixel with its neighbours across patch borders, which proj_out cannot
        return convOut == null ? out : Pointwise.add(out, convOut.forward(out));
    }

    /**
     * Fresh weights for training from scratch (the reference's initialize_weights): see
     * {@link DiTInitializer}. The APE table, if any, is already computed from the config.
     */
    public void initializeForTraining(Rng rng) {
        DiTInitializer.initialize(this, rng);
    }

    /**
     * The shallow baseline's velocity: latents [B, C, H, W], timestep [B], the frozen LLM's
     * hidden states [B, L, text_hidden_size] and their 1/0 attention mask [B][L].
     */
    public Tensor velocity(Tensor latents, Tensor timestep, Tensor textHiddenStates, int[][] attentionMask) {
        if (contextEmbedder == null) throw new IllegalStateException("velocity(latents, timestep, text hidden states, mask) is the shallow DiT's; FuseDiT's DiT stream runs inside FuseDiT");
        if (textHiddenStates.dim() != 3 || textHiddenStates.size(0) != latents.size(0) || textHiddenStates.size(2) != config.textHiddenSize())
            throw new IllegalArgumentException("text hidden states must be [" + latents.size(0) + ", L, " + config.textHiddenSize() + "], got "
                    + Arrays.toString(textHiddenStates.shape()));
        if (attentionMask.length != latents.size(0) || attentionMask[0].length != textHiddenStates.size(1))
            throw new IllegalArgumentException("attention mask must be [" + latents.size(0) + "][" + textHiddenStates.size(1) + "]");
        int h = latents.size(2) / config.patchSize(), w = latents.size(3) / config.patchSize();
        Conditioning cond = condition(timestep, null);
        Tensor x = embedImage(latents, cond);
        Tensor context = contextEmbedder.forward(textHiddenStates);
        RopeTables.CosSin rope = FusionLayout.imageRope(config, h, w, new int[latents.size(0)]);
        boolean joint = config.attention() == FuseDiTConfig.AttentionKind.SELF;
        Tensor mask = FusionLayout.imageRowsMask(attentionMask, h * w, joint);
        List<Tensor> outputs = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            DiTLayer layer = layers.get(i);
            x = layer.forward(layerInput(i, x, outputs), layer.modulation(cond.temb()), rope, layer.textKeys(context), layer.textValues(context), mask);
            if (keepsOutput(i)) outputs.add(x);
        }
        return head(x, cond, h, w);
    }
}
