package dev.fusedit.model.pipeline;

import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTCheckpoint;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.KernelProvider;
import dev.fusedit.tensor.kernels.VectorKernels;
import dev.fusedit.tensor.random.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The sampling pipeline on a tiny random-weight pixel-space model (the golden trajectory is in tests/ParityFixturesTest). */
class FuseDiTPipelineTest {
    @TempDir
    static Path dir;
    static FuseDiTPipeline pipe;

    @BeforeAll
    static void load() throws IOException {
        pipe = FuseDiTPipeline.load(TinyPipelineFolder.write(dir.resolve("model"), 11));
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    private static SampleOptions quick() {
        return SampleOptions.defaults().withSteps(3).withGuidance(4.0);
    }

    @Test
    void pixelSpaceModelMakesImagesOfTheDefaultSizeInPromptMajorOrder() {
        List<GeneratedImage> images = pipe.generate(List.of("a red circle", "two blue square"), quick().withImagesPerPrompt(2).withSeed(40));
        assertThat(images).hasSize(4);
        assertThat(images).extracting(GeneratedImage::prompt).containsExactly("a red circle", "a red circle", "two blue square", "two blue square");
        assertThat(images).extracting(GeneratedImage::seed).containsExactly(40L, 41L, 42L, 43L);
        for (GeneratedImage g : images) {
            assertThat(g.image().width()).isEqualTo(TinyPipelineFolder.SIZE);
            assertThat(g.image().height()).isEqualTo(TinyPipelineFolder.SIZE);
        }
        assertThat(pipe.maxSequenceLength()).isEqualTo(TinyPipelineFolder.MAX_LENGTH);
        assertThat(pipe.vaeScaleFactor()).isEqualTo(1);
    }

    @Test
    void aSeedGivesTheSameImageForEveryThreadCountAndOtherSeedsDiffer() {
        List<String> prompt = List.of("a blue square");
        byte[] one, two, again, other;
        try (KernelPool p1 = new KernelPool(1); KernelProvider.Scope s = KernelProvider.use(new VectorKernels(p1))) {
            one = pipe.generate(prompt, quick().withSeed(3)).getFirst().image().pixels();
        }
        try (KernelPool p2 = new KernelPool(2); KernelProvider.Scope s = KernelProvider.use(new VectorKernels(p2))) {
            two = pipe.generate(prompt, quick().withSeed(3)).getFirst().image().pixels();
        }
        again = pipe.generate(prompt, quick().withSeed(3)).getFirst().image().pixels();
        other = pipe.generate(prompt, quick().withSeed(4)).getFirst().image().pixels();
        assertThat(two).isEqualTo(one);
        assertThat(again).isEqualTo(one);
        assertThat(other).isNotEqualTo(one);
    }

    @Test
    void guidanceMixesTheUnconditionalAndConditionalVelocityAndOneMeansConditionalOnly() throws IOException {
        try (FuseDiTCheckpoint ckpt = FuseDiTCheckpoint.open(dir.resolve("model/transformer"));
             GradMode ignored = GradMode.noGrad()) {
            FuseDiT model = ckpt.fuseDiT();
            FlowMatchEulerScheduler scheduler = new FlowMatchEulerScheduler(1000, 3.0);
            Denoiser denoiser = new Denoiser(VelocityModel.of(model), scheduler);
            Tokenizer.Batch tok = pipe.tokenizer().encodeBatch(List.of("", "", "a red circle", "two square"), TinyPipelineFolder.MAX_LENGTH);
            Tensor ids = ids(tok.ids());
            Tensor x0 = new Rng(5).normal(2, 3, 16, 16);
            int steps = 3;
            // guidance scale, and the largest σ it applies at (σ runs 1, 0.857, 0.6 here: 0.9 leaves the first step unguided)
            for (double[] c : new double[][] {{1.0, Double.POSITIVE_INFINITY}, {2.5, Double.POSITIVE_INFINITY}, {2.5, 0.9}}) {
                double g = c[0], maxSigma = c[1];
                // a plain re-statement of the loop: separate model calls for the two halves, mixed in double precision
                boolean cfg = g > 1;
                int[][] uncondMask = {tok.mask()[0], tok.mask()[1]}, condMask = {tok.mask()[2], tok.mask()[3]};
                TextContext cond = model.encodeText(ids.narrow(0, 2, 2), condMask), uncond = model.encodeText(ids.narrow(0, 0, 2), uncondMask);
                FlowMatchEulerScheduler.Schedule schedule = scheduler.schedule(steps);
                double[] x = x0.toDoubleArray();
                for (int i = 0; i < steps; i++) {
                    Tensor xt = Tensor.of(DType.F32, x, x0.shape()), t = Tensor.full(DType.F32, schedule.timestep(i), 2);
                    double[] vc = model.velocity(xt, t, cond).toDoubleArray();
                    double[] vu = cfg ? model.velocity(xt, t, uncond).toDoubleArray() : null;
                    double dt = schedule.sigma(i + 1) - schedule.sigma(i);
                    boolean guided = cfg && schedule.sigma(i) <= maxSigma;
                    for (int k = 0; k < x.length; k++) x[k] += dt * (guided ? vu[k] + g * (vc[k] - vu[k]) : vc[k]);
                }
                Tensor text = cfg ? ids : ids.narrow(0, 2, 2);
                int[][] mask = cfg ? tok.mask() : condMask;
                double[] got = (maxSigma == Double.POSITIVE_INFINITY ? denoiser.denoise(x0, text, mask, g, steps, null)
                        : denoiser.denoise(x0, text, mask, g, maxSigma, steps, null, null)).latents().toDoubleArray();
                double worst = 0, scale = 0;
                for (int k = 0; k < x.length; k++) {
                    worst = Math.max(worst, Math.abs(got[k] - x[k]));
                    scale = Math.max(scale, Math.abs(x[k]));
                }
                assertThat(worst / scale).as("guidance " + g + " up to sigma " + maxSigma).isLessThan(1e-5);
            }
            assertThatThrownBy(() -> denoiser.denoise(x0, ids.narrow(0, 2, 2), condMask(tok), 2.5, steps, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unconditional rows first");
        }
    }

    @Test
    void stochasticSamplingRenoisesEachCleanPredictionWithTheRowsOwnGenerator() throws IOException {
        try (FuseDiTCheckpoint ckpt = FuseDiTCheckpoint.open(dir.resolve("model/transformer"));
             GradMode ignored = GradMode.noGrad()) {
            FuseDiT model = ckpt.fuseDiT();
            FlowMatchEulerScheduler scheduler = new FlowMatchEulerScheduler(1000, 3.0, true);
            Tokenizer.Batch tok = pipe.tokenizer().encodeBatch(List.of("a red circle", "two square"), TinyPipelineFolder.MAX_LENGTH);
            Tensor ids = ids(tok.ids());
            Tensor x0 = new Rng(5).normal(2, 3, 16, 16);
            int steps = 3;
            // the loop restated in double precision, each row's noise from its own generator
            TextContext text = model.encodeText(ids, tok.mask());
            FlowMatchEulerScheduler.Schedule schedule = scheduler.schedule(steps);
            Rng[] mine = {new Rng(70), new Rng(71)};
            double[] x = x0.toDoubleArray();
            int row = x.length / 2;
            for (int i = 0; i < steps; i++) {
                double[] v = model.velocity(Tensor.of(DType.F32, x, x0.shape()), Tensor.full(DType.F32, schedule.timestep(i), 2), text).toDoubleArray();
                double sigma = schedule.sigma(i), next = schedule.sigma(i + 1);
                for (int r = 0; r < 2; r++) {
                    double[] noise = mine[r].normal(3, 16, 16).toDoubleArray();
                    for (int k = 0; k < row; k++) {
                        int e = r * row + k;
                        x[e] = (1 - next) * (x[e] - sigma * v[e]) + next * noise[k];
                    }
                }
            }
            double[] got = new Denoiser(VelocityModel.of(model), scheduler).denoise(x0, ids, tok.mask(), 1.0, steps, new Rng[] {new Rng(70), new Rng(71)}, null)
                    .latents().toDoubleArray();
            for (int k = 0; k < x.length; k++) assertThat(got[k]).as("element %d", k).isCloseTo(x[k], within(1e-4));
        }
    }

    @Test
    void theStochasticSamplerIsSeededPerImageAndDiffersFromEuler() {
        SampleOptions stochastic = quick().withStochasticSampling(true);
        byte[] alone = pipe.generateEach(List.of("two square"), new long[] {9}, stochastic).getFirst().image().pixels();
        byte[] inBatch = pipe.generateEach(List.of("a red circle", "two square"), new long[] {8, 9}, stochastic).get(1).image().pixels();
        assertThat(inBatch).isEqualTo(alone);
        byte[] euler = pipe.generateEach(List.of("two square"), new long[] {9}, quick()).getFirst().image().pixels();
        assertThat(euler).isNotEqualTo(alone);
        assertThat(pipe.generateEach(List.of("two square"), new long[] {9}, quick().withStochasticSampling(false)).getFirst().image().pixels())
                .isEqualTo(euler);
    }

    private static int[][] condMask(Tokenizer.Batch tok) {
        return new int[][] {tok.mask()[2], tok.mask()[3]};
    }

    @Test
    void guidanceChangesTheImageAndTheNegativePromptIsTheUnconditionalText() {
        List<String> prompt = List.of("a red circle");
        byte[] plain = pipe.generate(prompt, quick().withGuidance(1.0)).getFirst().image().pixels();
        byte[] guided = pipe.generate(prompt, quick()).getFirst().image().pixels();
        byte[] negative = pipe.generate(prompt, quick().withNegativePrompt("blue square")).getFirst().image().pixels();
        assertThat(guided).isNotEqualTo(plain);
        assertThat(negative).isNotEqualTo(guided);
    }

    @Test
    void withoutAGuidanceTheFoldersGuidanceScaleSamples(@TempDir Path tmp) throws IOException {
        Path folder = TinyPipelineFolder.write(tmp.resolve("model"), 11);
        Path index = folder.resolve("model_index.json");
        Files.writeString(index, Files.readString(index).replace("\"max_sequence_length\"", "\"guidance_scale\": 2.5, \"max_sequence_length\""));
        List<String> prompt = List.of("a red circle");
        SampleOptions own = SampleOptions.defaults().withSteps(3);
        try (FuseDiTPipeline withScale = FuseDiTPipeline.load(folder)) {
            assertThat(withScale.guidance(own)).isEqualTo(2.5);
            assertThat(withScale.guidance(own.withGuidance(4.0))).isEqualTo(4.0);
            byte[] byDefault = withScale.generate(prompt, own).getFirst().image().pixels();
            assertThat(byDefault).isEqualTo(withScale.generate(prompt, own.withGuidance(2.5)).getFirst().image().pixels());
            assertThat(byDefault).isNotEqualTo(withScale.generate(prompt, own.withGuidance(SampleOptions.DEFAULT_GUIDANCE)).getFirst().image().pixels());
        }
        // the same weights without the key sample at the paper's guidance
        assertThat(pipe.guidance(own)).isEqualTo(SampleOptions.DEFAULT_GUIDANCE);
    }

    @Test
    void sizesThatAreNotMultiplesOfThePatchFailWithSizesThatWork() {
        assertThatThrownBy(() -> pipe.generate(List.of("a"), quick().withSize(30, 16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("height 30").hasMessageContaining("multiples of 4").hasMessageContaining("28 or 32")
                .hasMessageContaining("default is 16");
        assertThatThrownBy(() -> pipe.generate(List.of("a"), quick().withSize(16, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width 2").hasMessageContaining("e.g. 4");
        GeneratedImage wide = pipe.generate(List.of("a"), quick().withSize(8, 24)).getFirst();
        assertThat(wide.image().height()).isEqualTo(8);
        assertThat(wide.image().width()).isEqualTo(24);
    }

    @Test
    void longPromptsAreCutWithAWarningAndStepsAreReported() {
        List<String> warnings = new ArrayList<>();
        List<Integer> steps = new ArrayList<>();
        SamplingListener listener = new SamplingListener() {
            @Override
            public void onStep(int done, int total) {
                assertThat(total).isEqualTo(3);
                steps.add(done);
            }

            @Override
            public void onWarning(String message) {
                warnings.add(message);
            }
        };
        String longPrompt = "a red circle a blue square two red circle";
        byte[] cut = pipe.generate(List.of(longPrompt), quick().withListener(listener)).getFirst().image().pixels();
        assertThat(warnings).singleElement().asString().contains("6 tokens").contains(longPrompt);
        assertThat(steps).containsExactly(1, 2, 3);
        // the model sees BOS + the first five words
        byte[] first = pipe.generate(List.of("a red circle a blue"), quick()).getFirst().image().pixels();
        assertThat(cut).isEqualTo(first);
    }

    private static Tensor ids(int[][] rows) {
        Tensor t = Tensor.zeros(DType.I64, rows.length, rows[0].length);
        for (int i = 0; i < rows.length; i++)
            for (int j = 0; j < rows[i].length; j++) t.set(rows[i][j], i, j);
        return t;
    }

    @Test
    void shallowDiTFoldersReadTheirTextEncoder() throws IOException {
        Path folder = TinyPipelineFolder.writeDiT(dir.resolve("dit"), 12);
        try (FuseDiTPipeline dit = FuseDiTPipeline.load(folder)) {
            byte[] red = dit.generate(List.of("a red circle"), quick()).getFirst().image().pixels();
            byte[] blue = dit.generate(List.of("two blue square"), quick()).getFirst().image().pixels();
            assertThat(dit.generate(List.of("a red circle"), quick()).getFirst().image().pixels()).isEqualTo(red);
            assertThat(blue).isNotEqualTo(red);
        }
        try (var files = Files.walk(folder.resolve("text_encoder"))) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThatThrownBy(() -> FuseDiTPipeline.load(folder)).isInstanceOf(IOException.class)
                .hasMessageContaining("text_encoder").hasMessageContaining("shallow DiT");
    }

    @Test
    void maxSequenceLengthMustBeAPositiveInteger() throws IOException {
        Path folder = TinyPipelineFolder.write(dir.resolve("bad-length"), 13);
        Path index = folder.resolve("model_index.json");
        Files.writeString(index, Files.readString(index).replace("\"max_sequence_length\": " + TinyPipelineFolder.MAX_LENGTH, "\"max_sequence_length\": 0"));
        assertThatThrownBy(() -> PipelineFolder.open(folder)).isInstanceOf(IOException.class)
                .hasMessageContaining("max_sequence_length").hasMessageContaining("positive integer");
        Files.writeString(index, Files.readString(index).replace(",\n \"max_sequence_length\": 0", ""));
        assertThat(PipelineFolder.open(folder).maxSequenceLength()).isEqualTo(PipelineFolder.DEFAULT_MAX_SEQUENCE_LENGTH);
    }

    @Test
    void latentModelsDecodeTheFinalLatentsWithTheVae() throws IOException {
        Path folder = TinyPipelineFolder.writeWithVae(dir.resolve("latent"), 14);
        try (FuseDiTPipeline latent = FuseDiTPipeline.load(folder);
             VaeCheckpoint vae = VaeCheckpoint.open(folder.resolve("vae"));
             GradMode ignored = GradMode.noGrad()) {
            assertThat(latent.vaeScaleFactor()).isEqualTo(2);
            assertThat(latent.defaultSize()).isEqualTo(TinyPipelineFolder.SIZE);
            assertThat(latent.sizeMultiple()).isEqualTo(4);
            GeneratedImage image = latent.generate(List.of("a red circle"), quick().withSeed(8)).getFirst();
            assertThat(image.image().width()).isEqualTo(TinyPipelineFolder.SIZE);

            // the same steps by hand: noise of seed 8 in latent space, the loop, latents / scaling + shift, decode, uint8
            Tokenizer.Batch tok = latent.tokenizer().encodeBatch(List.of("", "a red circle"), TinyPipelineFolder.MAX_LENGTH);
            Tensor noise = new Rng(8).normal(4, 8, 8).reshape(1, 4, 8, 8);
            Tensor latents = latent.denoiser().denoise(noise, ids(tok.ids()), tok.mask(), 4.0, 3, null).latents();
            float[] z = latents.toFloatArray();
            for (int i = 0; i < z.length; i++) z[i] = (float) (z[i] / 1.5305 + 0.0609);
            Tensor pixels = ImagePostprocess.toUint8Nhwc(vae.model().decodeRaw(Tensor.of(z, latents.shape())));
            byte[] want = new byte[(int) pixels.numel()];
            pixels.data().asByteBuffer().get(want);
            int worst = 0;
            for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((want[i] & 0xff) - (image.image().pixels()[i] & 0xff)));
            assertThat(worst).isLessThanOrEqualTo(1);
        }
    }
}
