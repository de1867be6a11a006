package dev.fusedit.model.fusedit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.layers.Parameter;
import dev.fusedit.layers.SyntheticWeights;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.ops.Conv;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * This project's two additions to the DiT stream (long_skips, output_conv): off unless a config
 * sets them, and wired where they say. A 4-layer model with random weights (the final fixture's
 * config, deepened) is run with and without them on the fixture's inputs.
 */
class ProjectDeparturesTest {
    static final Path FINAL = FuseDiTModelTest.FIXTURES.resolve("final");

    @TempDir
    Path dir;

    @Test
    void offUnlessAConfigSetsThem() throws IOException {
        FuseDiTConfig c = FuseDiTConfig.read(FINAL.resolve("transformer/config.json"));
        assertThat(c.longSkips()).isFalse();
        assertThat(c.outputConv()).isFalse();
        FuseDiT plain = new FuseDiT(c);
        assertThat(plain.dit.skipLinears).isEmpty();
        assertThat(plain.dit.convOut).isNull();
        assertThat(plain.namedParameters().keySet()).noneMatch(k -> k.contains("skip_linears") || k.contains("conv_out"));

        FuseDiTConfig on = config(4, true, true);
        FuseDiT model = new FuseDiT(on);
        int h = on.ditHiddenSize();
        assertThat(model.dit.skipLinears).hasSize(2);
        assertThat(model.namedParameters().get("dit.skip_linears.1.weight").shape()).containsExactly(h, 2 * h);
        assertThat(model.namedParameters().get("dit.conv_out.weight").shape()).containsExactly(4, 4, 3, 3);
        // a training YAML's model section writes them into the transformer config only when on
        ObjectMapper json = new ObjectMapper();
        ObjectNode section = json.createObjectNode().put("name", "FuseDiT").put("base", FINAL.resolve("transformer/config.json").toString())
                .put("attention", "self").put("pos_embed", "2d-rope").put("dit_num_hidden_layers", 2).put("patch_size", 2);
        section.set("shared_attention_layers", json.getNodeFactory().textNode("all"));
        section.set("timestep_conditioning", json.getNodeFactory().nullNode());
        ObjectNode base = json.readValue(Files.readString(FINAL.resolve("transformer/config.json")), ObjectNode.class);
        Path baseFile = Files.writeString(dir.resolve("base.json"), base.get("base_config").toString());
        section.put("base", baseFile.toString());
        assertThat(ModelSection.transformerConfig(new ConfigReader(dir.resolve("x.yaml"), "model.", section), dir.resolve("x.yaml")).has("long_skips")).isFalse();
        section.put("long_skips", true).put("output_conv", false);
        ObjectNode written = ModelSection.transformerConfig(new ConfigReader(dir.resolve("x.yaml"), "model.", section), dir.resolve("x.yaml"));
        assertThat(written.get("long_skips").asBoolean()).isTrue();
        assertThat(written.has("output_conv")).isFalse();
    }

    @Test
    void identitySkipsAndAZeroConvolutionLeaveThePapersModel() throws IOException {
        FuseDiT plain = checkpointed(config(4, false, false));
        FuseDiT both = copyOf(plain, config(4, true, true));
        int h = plain.config.ditHiddenSize();
        for (var l : both.dit.skipLinears) setSkip(l.weight, l.bias, h, true);
        both.dit.convOut.weight.set(Tensor.zeros(DType.F32, both.dit.convOut.weight.shape()));
        both.dit.convOut.bias.set(Tensor.zeros(DType.F32, both.dit.convOut.bias.shape()));
        assertThat(maxAbsDiff(velocity(both), velocity(plain))).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void eachLayerOfTheSecondHalfReadsItsMirrorsOutput() throws IOException {
        FuseDiT plain = checkpointed(config(4, false, false));
        FuseDiT skips = copyOf(plain, config(4, true, false));
        int h = plain.config.ditHiddenSize();
        // layer 3 reads only [x ; output of layer 0] through its skip Linear set to pass the skip half
        setSkip(skips.dit.skipLinears.get(0).weight, skips.dit.skipLinears.get(0).bias, h, true);
        setSkip(skips.dit.skipLinears.get(1).weight, skips.dit.skipLinears.get(1).bias, h, false);
        Tensor before = velocity(skips);
        assertThat(maxAbsDiff(before, velocity(plain))).isGreaterThan(1e-3);
        // so layers 1 and 2 no longer matter, and layer 0 still does
        perturb(skips, "dit.layers.1.mlp.down_proj.weight");
        perturb(skips, "dit.layers.2.mlp.down_proj.weight");
        assertThat(maxAbsDiff(velocity(skips), before)).isLessThanOrEqualTo(1e-6);
        perturb(skips, "dit.layers.0.mlp.down_proj.weight");
        assertThat(maxAbsDiff(velocity(skips), before)).isGreaterThan(1e-3);
    }

    @Test
    void outputConvAddsAThreeByThreeConvolutionOfTheUnpatchifiedOutput() throws IOException {
        FuseDiT plain = checkpointed(config(4, false, false));
        FuseDiT conv = copyOf(plain, config(4, false, true));
        Rng rng = new Rng(3);
        Tensor w = Pointwise.mul(rng.normal(4, 4, 3, 3), 0.2), b = Pointwise.mul(rng.normal(4), 0.1);
        conv.dit.convOut.weight.set(w);
        conv.dit.convOut.bias.set(b);
        Tensor v = velocity(plain);
        Tensor want;
        try (GradMode ignored = GradMode.noGrad()) {
            want = Pointwise.add(v, Conv.conv2d(v, w, b, 1, 1));
        }
        assertThat(maxAbsDiff(velocity(conv), want)).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void trainingInitialisationStartsTheConvolutionAtZeroAndTheSkipsAsXavier() throws IOException {
        FuseDiT m = new FuseDiT(config(4, true, true));
        m.initializeForTraining(new Rng(1));
        assertThat(m.dit.convOut.weight.get().toDoubleArray()).containsOnly(0.0);
        double[] skip = m.dit.skipLinears.get(0).weight.get().toDoubleArray();
        int h = m.config.ditHiddenSize();
        double bound = Math.sqrt(6.0 / (h + 2 * h)), max = 0;
        for (double x : skip) max = Math.max(max, Math.abs(x));
        assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
    }

    /** The final fixture's config with `layers` text and DiT layers and the two switches. */
    private FuseDiTConfig config(int layers, boolean longSkips, boolean outputConv) throws IOException {
        ObjectNode c = new ObjectMapper().readValue(Files.readString(FINAL.resolve("transformer/config.json")), ObjectNode.class);
        ((ObjectNode) c.get("base_config")).put("num_hidden_layers", layers);
        c.put("dit_num_hidden_layers", layers).put("long_skips", longSkips).put("output_conv", outputConv);
        c.remove("shared_attention_layers");
        Path d = Files.createDirectories(dir.resolve("cfg-" + layers + "-" + longSkips + "-" + outputConv));
        return FuseDiTConfig.read(Files.writeString(d.resolve("config.json"), c.toString()));
    }

    /** A model of config c with random weights, loaded as a checkpoint is. */
    private FuseDiT checkpointed(FuseDiTConfig c) throws IOException {
        Path d = Files.createDirectories(dir.resolve("model-" + System.nanoTime()));
        Files.copy(dir.resolve("cfg-" + c.ditNumHiddenLayers() + "-" + c.longSkips() + "-" + c.outputConv()).resolve("config.json"), d.resolve("config.json"));
        SyntheticWeights.write(d.resolve("diffusion_pytorch_model.safetensors"), new FuseDiT(c), "", DType.F32, 11, 0.2);
        return FuseDiTCheckpoint.open(d).fuseDiT();
    }

    /** A model of config c holding copies of from's weights under the same names (its own extra ones left unbound). */
    private static FuseDiT copyOf(FuseDiT from, FuseDiTConfig c) {
        FuseDiT to = new FuseDiT(c);
        Map<String, Parameter> target = to.namedParameters();
        from.namedParameters().forEach((name, p) -> target.get(name).set(p.get().copy()));
        return to;
    }

    /** A skip Linear [h, 2h] that passes the x half (keepX) or the skip half, with zero bias. */
    private static void setSkip(Parameter weight, Parameter bias, int h, boolean keepX) {
        float[] w = new float[h * 2 * h];
        for (int i = 0; i < h; i++) w[i * 2 * h + (keepX ? i : h + i)] = 1;
        weight.set(Tensor.of(w, h, 2 * h));
        bias.set(Tensor.zeros(DType.F32, h));
    }

    private static void perturb(FuseDiT m, String name) {
        Parameter p = m.namedParameters().get(name);
        p.set(Pointwise.add(p.get(), Pointwise.mul(new Rng(99).normal(p.shape()), 0.5)));
    }

    private static Tensor velocity(FuseDiT model) throws IOException {
        try (SafeTensorsFile in = SafeTensorsFile.open(FINAL.resolve("inputs.safetensors")); GradMode ignored = GradMode.noGrad()) {
            Tensor mask = in.get("attention_mask");
            int[][] rows = new int[mask.size(0)][mask.size(1)];
            for (int i = 0; i < rows.length; i++) for (int j = 0; j < rows[i].length; j++) rows[i][j] = (int) mask.get(i, j);
            return model.velocity(in.get("hidden_states"), in.get("timestep"), in.get("input_ids"), rows).copy();
        }
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        assertThat(x).hasSameSizeAs(y);
        double worst = 0;
        for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
        return worst;
    }
}
