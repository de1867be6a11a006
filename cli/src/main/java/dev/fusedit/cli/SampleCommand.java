package dev.fusedit.cli;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.GeneratedImage;
import dev.fusedit.model.pipeline.ImageGrid;
import dev.fusedit.model.pipeline.PngWriter;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.model.pipeline.SamplingListener;
import dev.fusedit.model.progress.ProgressBar;
import dev.fusedit.tensor.io.OutputPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** `fusedit sample`: text to image with a pipeline folder. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Generate images from text prompts with a FuseDiT pipeline folder.",
                "One image is written to --out; several (more prompts or --images-per-prompt) go to --out as one captioned grid,",
                "and with --out-dir also one PNG each."})
final class SampleCommand implements Callable<Integer> {
    /** Grid cells of small models are enlarged to about this width so that the captions fit. */
    private static final int GRID_CELL = 128;

    @Option(names = "--model", description = "pipeline folder (default: the bundled models/shapes-tiny)")
    Path model;

    @Option(names = "--prompt", required = true, description = "a prompt; repeat for several")
    List<String> prompts;

    @Option(names = "--negative-prompt", defaultValue = "", description = "the unconditional text of guidance (default: the empty caption)")
    String negativePrompt;

    @Option(names = "--height", description = "image height in pixels (default: the model's sample size)")
    Integer height;

    @Option(names = "--width", description = "image width in pixels (default: the model's sample size)")
    Integer width;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the first image; image k of prompt p uses seed + p*K + k (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--images-per-prompt", defaultValue = "1", description = "images per prompt K (default ${DEFAULT-VALUE})")
    int imagesPerPrompt;

    @Option(names = "--out", defaultValue = "sample.png", description = "the PNG to write (the grid when there are several images; default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--out-dir", description = "also write every image as DIR/{prompt index}_{image index}.png")
    Path outDir;

    @Mixin
    BackendOption backend = new BackendOption();

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Override
    public Integer call() throws Exception {
        int steps = sampling.steps();
        if (imagesPerPrompt < 1) throw new CliException("--images-per-prompt must be at least 1, got " + imagesPerPrompt);
        if ((height == null) != (width == null)) throw new CliException("give --height and --width together");
        if (height != null && (height < 1 || width < 1)) throw new CliException("--height and --width must be positive, got " + height + " x " + width);
        // found before the model loads and denoises, not after
        OutputPaths.checkFileWritable(out, "--out");
        if (outDir != null) OutputPaths.checkFolderWritable(outDir, "--out-dir");
        backend.apply();
        Path dir = ModelLocator.model(model);
        try (FuseDiTPipeline pipe = FuseDiTPipeline.load(dir)) {
            ProgressBar bar = new ProgressBar("sample", 0, steps, Math.max(1, steps / 10));
            long start = System.nanoTime();
            long[] lastStep = {start};
            SampleOptions opts = sampling.applyTo(SampleOptions.defaults()).withNegativePrompt(negativePrompt)
                    .withSize(height == null ? 0 : height, width == null ? 0 : width).withSeed(seed).withImagesPerPrompt(imagesPerPrompt)
                    .withListener(new SamplingListener() {
                        @Override
                        public void onStep(int done, int total) {
                            lastStep[0] = System.nanoTime();
                            bar.update(done, "");
                        }
                    });
            List<GeneratedImage> images = pipe.generate(prompts, opts);
            if (images.size() == 1) {
                images.getFirst().writePng(out);
            } else {
                PngWriter.write(ImageGrid.ofGenerated(images, prompts.size(), imagesPerPrompt, GRID_CELL), out);
            }
            if (outDir != null)
                for (int i = 0; i < images.size(); i++)
                    images.get(i).writePng(outDir.resolve(String.format("%03d_%d.png", i / imagesPerPrompt, i % imagesPerPrompt)));
            System.err.printf("wrote %s (%d image%s, %dx%d, %.2f s/step)%s%n", out, images.size(), images.size() == 1 ? "" : "s",
                    images.getFirst().image().width(), images.getFirst().image().height(), (lastStep[0] - start) / 1e9 / steps,
                    outDir != null ? " and " + images.size() + " PNGs in " + outDir : "");
        }
        return 0;
    }
}
