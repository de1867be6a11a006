package dev.fusedit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.shapes.SampleGrid;
import dev.fusedit.shapes.ShapesSample;
import dev.fusedit.shapes.ShapesStream;
import dev.fusedit.shapes.ShapesVocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Writes samples of the shapes-world training stream so people can look at the data. */
@Command(name = "shapes-sample", mixinStandardHelpOptions = true,
        description = {"Write samples of the shapes-world training stream: NNNNN.png (32 x 32), captions.jsonl,",
                "grid.png (the first 64 with their captions) and tokenizer.json (the caption vocabulary)."})
final class ShapesSampleCommand implements Callable<Integer> {
    private static final int GRID_SAMPLES = 64, GRID_COLUMNS = 8, GRID_SCALE = 4;

    @Option(names = "--out", required = true, description = "output folder (created if missing)")
    Path out;

    @Option(names = "--count", defaultValue = "64", description = "number of samples (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--seed", defaultValue = "0", description = "stream seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--start", defaultValue = "0", description = "index of the first sample in the stream (default ${DEFAULT-VALUE})")
    long start;

    @Option(names = "--drop-rate", defaultValue = "0.1", description = "share of captions dropped to \"\" (default ${DEFAULT-VALUE})")
    double dropRate;

    @Override
    public Integer call() throws Exception {
        if (count < 1) throw new CliException("--count must be at least 1, got " + count);
        if (start < 0) throw new CliException("--start must be non-negative, got " + start);
        ShapesStream stream = new ShapesStream(seed, dropRate);
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper();
        List<RgbImage> gridImages = new ArrayList<>();
        List<String> gridCaptions = new ArrayList<>();
        int digits = Math.max(5, String.valueOf(start + count - 1).length());
        try (BufferedWriter captions = Files.newBufferedWriter(out.resolve("captions.jsonl"))) {
            for (int i = 0; i < count; i++) {
                ShapesSample s = stream.sample(start + i);
                String file = String.format("%0" + digits + "d.png", s.index());
                RgbImage img = s.scene().render();
                img.writePng(out.resolve(file));
                ObjectNode line = json.createObjectNode();
                line.put("file", file).put("index", s.index()).put("caption", s.caption())
                        .put("category", s.prompt().category().id()).put("prompt", s.prompt().text());
                captions.write(json.writeValueAsString(line));
                captions.newLine();
                if (gridImages.size() < GRID_SAMPLES) {
                    gridImages.add(img);
                    gridCaptions.add(s.caption());
                }
            }
        }
        ImageIO.write(SampleGrid.draw(gridImages, gridCaptions, GRID_COLUMNS, GRID_SCALE), "png", out.resolve("grid.png").toFile());
        ShapesVocabulary.tokenizer().save(out.resolve("tokenizer.json"));
        System.out.println("wrote " + count + " samples (seed " + seed + ", from index " + start + ") to " + out
                + ": PNGs, captions.jsonl, grid.png, tokenizer.json");
        return 0;
    }
}
