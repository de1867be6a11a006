package dev.fusedit.cli;

import dev.fusedit.training.TinyTrainingConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusedit.training.Trainer;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.io.SafeTensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** `fusedit sample` and `fusedit eval-shapes` end to end on the pipeline folder of a one-step training run. */
class SampleCommandsTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void trainOneStep() throws IOException {
        Path config = TinyTrainingConfig.write(dir, """
                  max_steps: 1
                  checkpointing_steps: 1
                  logging_steps: 1
                  seed: 3
                  guidance_scale: 2.5
                """, "", 2, 12);
        try (Trainer t = new Trainer(TrainConfig.read(config), dir.resolve("run"), 1, 1, null)) {
            t.train();
        }
        try (Stream<Path> steps = Files.list(dir.resolve("run/checkpoints"))) {
            model = steps.filter(p -> p.getFileName().toString().startsWith("step-")).findFirst().orElseThrow();
        }
        var index = new ObjectMapper().readTree(model.resolve("model_index.json").toFile());
        assertThat(index.get("max_sequence_length").asInt()).isEqualTo(12);
        assertThat(index.get("guidance_scale").asDouble()).isEqualTo(2.5);
    }

    /** `sample` of "a red circle" (2 steps, seed 9) into out, with the extra flags. */
    private static void sampleRedCircle(Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("sample", "--model", model.toString(), "--prompt", "a red circle", "--steps", "2",
                "--seed", "9", "--out", out.toString()));
        args.addAll(List.of(extra));
        assertThat(Main.commandLine().execute(args.toArray(String[]::new))).isZero();
    }

    @Test
    void withoutGuidanceTheModelSamplesAtTheGuidanceItWasTrainedFor() throws IOException {
        Path own = dir.resolve("own-guidance.png"), named = dir.resolve("named-guidance.png"), papers = dir.resolve("papers-guidance.png");
        sampleRedCircle(own);
        sampleRedCircle(named, "--guidance", "2.5");
        sampleRedCircle(papers, "--guidance", "6");
        assertThat(Files.readAllBytes(own)).isEqualTo(Files.readAllBytes(named));
        assertThat(RgbImage.readPng(own).pixels()).isNotEqualTo(RgbImage.readPng(papers).pixels());
    }

    @Test
    void theSamplerOptionPicksEulerOrStochasticAndRefusesOtherNames() throws IOException {
        Path euler = dir.resolve("euler.png"), plain = dir.resolve("plain.png"), stochastic = dir.resolve("stochastic.png");
        sampleRedCircle(euler, "--sampler", "euler");
        sampleRedCircle(plain);
        sampleRedCircle(stochastic, "--sampler", "stochastic");
        // the trainer's scheduler config has no stochastic_sampling: Euler by default
        assertThat(Files.readAllBytes(plain)).isEqualTo(Files.readAllBytes(euler));
        assertThat(RgbImage.readPng(stochastic).pixels()).isNotEqualTo(RgbImage.readPng(euler).pixels());
        assertThat(CliRuns.errorOf("sample", "--model", model.toString(), "--prompt", "a red circle", "--sampler", "ddim"))
                .contains("--sampler must be euler or stochastic, got 'ddim'");
    }

    @Test
    void oneImageGoesToTheOutputPng() throws IOException {
        Path out = dir.resolve("one.png");
        int rc = Main.commandLine().execute("sample", "--model", model.toString(), "--prompt", "a red circle", "--steps", "2",
                "--seed", "9", "--out", out.toString());
        assertThat(rc).isZero();
        RgbImage png = RgbImage.readPng(out);
        assertThat(png.width()).isEqualTo(32);
        assertThat(png.height()).isEqualTo(32);

        // the same seed again gives the same picture
        Path again = dir.resolve("again.png");
        Main.commandLine().execute("sample", "--model", model.toString(), "--prompt", "a red circle", "--steps", "2",
                "--seed", "9", "--out", again.toString());
        assertThat(RgbImage.readPng(again).pixels()).isEqualTo(png.pixels());
    }

    @Test
    void severalImagesMakeAGridAndOnePngEachInTheOutputFolder() throws IOException {
        Path out = dir.resolve("grid.png"), each = dir.resolve("each");
        int rc = Main.commandLine().execute("sample", "--model", model.toString(), "--prompt", "a red circle", "--prompt", "two blue squares",
                "--images-per-prompt", "2", "--steps", "2", "--guidance", "3", "--out", out.toString(), "--out-dir", each.toString());
        assertThat(rc).isZero();
        try (Stream<Path> files = Files.list(each)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("000_0.png", "000_1.png", "001_0.png", "001_1.png");
        }
        BufferedImage grid = ImageIO.read(out.toFile());
        assertThat(grid.getWidth()).isGreaterThan(2 * 128);
        assertThat(grid.getHeight()).isGreaterThan(2 * 128);
    }

    @Test
    void anOutputThatCannotBeWrittenIsRefusedBeforeTheModelIsLoaded() {
        // the model folder does not exist either: the output is checked first, so no work is wasted
        assertThat(CliRuns.errorOf("sample", "--model", "/no/such/model", "--prompt", "a red circle", "--out", "/proc/x.png"))
                .startsWith("fusedit: --out /proc/x.png: cannot be written");
        assertThat(CliRuns.errorOf("sample", "--model", "/no/such/model", "--prompt", "a red circle", "--out", "ok.png", "--out-dir", "/proc/samples"))
                .startsWith("fusedit: --out-dir /proc/samples: cannot be written");
        assertThat(CliRuns.errorOf("eval-shapes", "--model", "/no/such/model", "--out", "/proc/report.json"))
                .startsWith("fusedit: --out /proc/report.json: cannot be written");
        assertThat(CliRuns.errorOf("eval-shapes", "--model", "/no/such/model", "--images-dir", "/proc/images"))
                .startsWith("fusedit: --images-dir /proc/images: cannot be written");
        assertThat(CliRuns.errorOf("train", "-c", Path.of("../configs/shapes-tiny.yaml").toString(), "--out", "/proc/run"))
                .startsWith("fusedit: --out /proc/run: cannot be written");
    }

    @Test
    void badSizeAndMissingBundledModelAreOneLineErrors() {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("sample", "--model", model.toString(), "--prompt", "a", "--height", "30", "--width", "32",
                "--out", dir.resolve("bad.png").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("height 30").contains("multiples of 8").contains("24 or 32");

        // the tests run in cli/ without -Dfusedit.home: no models/shapes-tiny there
        StringWriter err2 = new StringWriter();
        var cli2 = Main.commandLine();
        cli2.setErr(new PrintWriter(err2));
        assertThat(cli2.execute("sample", "--prompt", "a")).isEqualTo(2);
        assertThat(err2.toString()).contains("models/shapes-tiny").contains("does not exist yet").contains("--model");
    }

    @Test
    void evalShapesWritesTheReportGridAndEverySample() throws IOException {
        Path prompts = dir.resolve("prompts.jsonl");
        Files.write(prompts, List.of(
                "{\"category\": \"single_object\", \"prompt\": \"a yellow circle\", \"shapes\": [\"circle\"], \"colors\": [\"yellow\"]}",
                "{\"category\": \"single_object\", \"prompt\": \"a square\", \"shapes\": [\"square\"]}",
                "{\"category\": \"two_object\", \"prompt\": \"a circle and a triangle\", \"shapes\": [\"circle\", \"triangle\"]}"));
        Path report = dir.resolve("eval/report.json"), images = dir.resolve("eval/images");
        PrintStream stdout = System.out;
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        System.setOut(new PrintStream(table, true));
        int rc;
        try {
            rc = Main.commandLine().execute("eval-shapes", "--model", model.toString(), "--prompts", prompts.toString(), "--samples", "2",
                    "--steps", "2", "--batch", "4", "--out", report.toString(), "--images-dir", images.toString());
        } finally {
            System.setOut(stdout);
        }
        assertThat(rc).isZero();
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.get("samples").asInt()).isEqualTo(6);
        assertThat(json.get("categories").has("single_object")).isTrue();
        assertThat(json.get("categories").has("two_object")).isTrue();
        double mean = (json.get("categories").get("single_object").asDouble() + json.get("categories").get("two_object").asDouble()) / 2;
        assertThat(json.get("overall").asDouble()).isEqualTo(mean);
        assertThat(table.toString()).contains("single_object").contains("two_object").contains("overall").contains("extra");
        double share = json.get("extra_share").get("overall").asDouble();
        assertThat(share).isBetween(0.0, 1.0);
        assertThat(Files.isRegularFile(dir.resolve("eval/report-grid.png"))).isTrue();
        try (Stream<Path> files = Files.list(images)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("000_0.png", "000_1.png", "001_0.png", "001_1.png", "002_0.png", "002_1.png");
        }
        RgbImage sample = RgbImage.readPng(images.resolve("002_1.png"));
        assertThat(sample.width()).isEqualTo(32);

        // batching does not change the images: prompt 2's second sample (seed 5) alone gives the same picture
        Path single = dir.resolve("seed5.png");
        Main.commandLine().execute("sample", "--model", model.toString(), "--prompt", "a circle and a triangle", "--steps", "2",
                "--seed", "5", "--out", single.toString());
        assertThat(RgbImage.readPng(single).pixels()).isEqualTo(sample.pixels());
    }

    @Test
    void convertStoresTheWeightsAsBf16AndTheCopySamples() throws IOException {
        Path bf16 = dir.resolve("model-bf16");
        assertThat(Main.commandLine().execute("convert", "--model", model.toString(), "--out", bf16.toString(), "--dtype", "bf16")).isZero();
        Path weights = Path.of("transformer", "diffusion_pytorch_model.safetensors");
        try (SafeTensorsFile original = SafeTensorsFile.open(model.resolve(weights)); SafeTensorsFile converted = SafeTensorsFile.open(bf16.resolve(weights));
             MemoryScope ignored = MemoryScope.open()) {
            assertThat(converted.names()).isEqualTo(original.names());
            for (String name : original.names()) {
                assertThat(converted.info(name).dtype()).as(name).isEqualTo(DType.BF16);
                assertThat(converted.info(name).shape()).as(name).isEqualTo(original.info(name).shape());
                double[] was = original.get(name).toDoubleArray(), now = converted.get(name).to(DType.F32).toDoubleArray();
                for (int i = 0; i < was.length; i++) {
                    // the nearest bfloat16: 8 significant bits, a step of 2^-7 of the leading power of two, half of it at most
                    assertThat(Float.floatToRawIntBits((float) now[i]) & 0xFFFF).as("%s[%d] is a bfloat16", name, i).isZero();
                    assertThat(Math.abs(now[i] - was[i])).as("%s[%d]", name, i).isLessThanOrEqualTo(Math.abs(was[i]) * 0x1p-8 + 1e-40);
                }
            }
        }
        for (String file : List.of("model_index.json", "transformer/config.json", "scheduler/scheduler_config.json", "tokenizer/tokenizer.json"))
            assertThat(Files.readAllBytes(bf16.resolve(file))).as(file).isEqualTo(Files.readAllBytes(model.resolve(file)));
        assertThat(Files.size(bf16.resolve(weights))).isLessThan(Files.size(model.resolve(weights)) * 6 / 10);

        Path out = dir.resolve("bf16.png");
        assertThat(Main.commandLine().execute("sample", "--model", bf16.toString(), "--prompt", "a red circle", "--steps", "2",
                "--seed", "9", "--out", out.toString())).isZero();
        assertThat(RgbImage.readPng(out).width()).isEqualTo(32);

        assertThat(CliRuns.errorOf("convert", "--model", model.toString(), "--out", bf16.toString(), "--dtype", "bf16")).contains("already exists");
        assertThat(CliRuns.errorOf("convert", "--model", model.toString(), "--out", dir.resolve("x").toString(), "--dtype", "int8"))
                .contains("--dtype").contains("int8");
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }
}
