package dev.fusedit.cli.bench;

import dev.fusedit.layers.SyntheticWeights;
import dev.fusedit.model.pipeline.PipelineFolder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.model.pipeline.SamplingListener;
import dev.fusedit.model.vae.AutoencoderKL;
import dev.fusedit.model.vae.VaeConfig;
import dev.fusedit.tensor.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * One 512 px image from a real-size pipeline: the large-scale FuseDiT (synthetic BF16 weights of
 * {@link FuseDiTBenchmark}), the SD3 VAE decoder (synthetic float32 weights) and the Gemma
 * tokenizer: seconds per denoising step, VAE decode seconds, peak RSS.
 */
public final class SampleBenchmark {
    private SampleBenchmark() {}

    /** The SD3-medium vae/config.json (docs/reference.md#vae). */
    static final String SD3_VAE_CONFIG = """
            {"_class_name":"AutoencoderKL","_diffusers_version":"0.32.0","in_channels":3,"out_channels":3,"latent_channels":16,
             "block_out_channels":[128,256,512,512],"layers_per_block":2,"act_fn":"silu","norm_num_groups":32,"sample_size":1024,
             "scaling_factor":1.5305,"shift_factor":0.0609,"use_quant_conv":false,"use_post_quant_conv":false,"force_upcast":true,
             "mid_block_add_attention":true,"latents_mean":null,"latents_std":null,
             "down_block_types":["DownEncoderBlock2D","DownEncoderBlock2D","DownEncoderBlock2D","DownEncoderBlock2D"],
             "up_block_types":["UpDecoderBlock2D","UpDecoderBlock2D","UpDecoderBlock2D","UpDecoderBlock2D"]}
            """;

    public record Result(double secondsPerStep, double vaeSeconds, double totalSeconds, long peakRssBytes) {}

    /** A pipeline folder at {@code dir} around the transformer written by {@link FuseDiTBenchmark#prepare}. */
    public static void prepare(Path yaml, Path transformerRoot, Path tokenizerJson, Path dir) throws IOException {
        FuseDiTBenchmark.prepare(yaml, transformerRoot);
        Files.createDirectories(dir);
        Path transformer = dir.resolve("transformer");
        // hard links, not a symbolic link: a pipeline folder may not link out of itself (FolderBounds)
        if (!Files.exists(transformer)) linkOrCopy(transformerRoot.resolve("transformer"), transformer);
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        index.put("_class_name", "FuseDiTPipeline");
        index.putArray("scheduler").add("diffusers").add("FlowMatchEulerDiscreteScheduler");
        index.putArray("tokenizer").add("transformers").add("GemmaTokenizerFast");
        index.putArray("transformer").add("diffusion.models").add("FuseDiT");
        index.putArray("vae").add("diffusers").add("AutoencoderKL");
        Files.writeString(dir.resolve("model_index.json"), json.writeValueAsString(index));
        Files.createDirectories(dir.resolve("scheduler"));
        Files.writeString(dir.resolve("scheduler/scheduler_config.json"),
                "{\"_class_name\":\"FlowMatchEulerDiscreteScheduler\",\"num_train_timesteps\":1000,\"shift\":3.0}");
        Files.createDirectories(dir.resolve("tokenizer"));
        Files.copy(tokenizerJson, dir.resolve("tokenizer/tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        Path vae = Files.createDirectories(dir.resolve("vae"));
        Files.writeString(vae.resolve("config.json"), SD3_VAE_CONFIG);
        Path weights = vae.resolve(PipelineFolder.WEIGHTS_FILE);
        if (!Files.exists(weights)) {
            VaeConfig c = VaeConfig.from(new ConfigReader(vae.resolve("config.json"), "", json.readTree(SD3_VAE_CONFIG)));
            SyntheticWeights.write(weights, new AutoencoderKL(c), "", DType.F32, 3, 0.02);
        }
    }

    /** The files of folder from, hard-linked into a new folder to (copied where the file system cannot link them). */
    private static void linkOrCopy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try {
                    Files.createLink(to.resolve(f.getFileName()), f);
                } catch (UnsupportedOperationException | IOException otherFileSystem) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Samples one image of resolution² pixels with {@code sampling}'s steps, guidance and sampler (seed 42). */
    public static Result run(Path pipeline, int resolution, SampleOptions sampling) throws IOException {
        System.gc();
        MachineFacts.resetPeakRss();
        try (FuseDiTPipeline pipe = FuseDiTPipeline.load(pipeline)) {
            long[] lastStep = {0};
            long[] firstStep = {0};
            long start = System.nanoTime();
            SampleOptions opts = sampling.withSize(resolution, resolution).withSeed(42)
                    .withListener(new SamplingListener() {
                        @Override
                        public void onStep(int done, int total) {
                            long now = System.nanoTime();
                            if (done == 1) firstStep[0] = now;
                            lastStep[0] = now;
                            System.err.printf("step %d/%d at %.1f s%n", done, total, (now - start) / 1e9);
                        }
                    });
            pipe.generate(List.of("a photo of a cat sitting on a red sofa"), opts);
            long end = System.nanoTime();
            int steps = opts.steps();
            double perStep = steps > 1 ? (lastStep[0] - firstStep[0]) / 1e9 / (steps - 1) : (lastStep[0] - start) / 1e9;
            return new Result(perStep, (end - lastStep[0]) / 1e9, (end - start) / 1e9, MachineFacts.peakRss());
        }
    }
}
