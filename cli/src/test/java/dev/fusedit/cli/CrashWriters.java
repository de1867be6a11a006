package dev.fusedit.cli;

import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.shapes.Category;
import dev.fusedit.shapes.ShapesReport;
import dev.fusedit.training.Trainer;
import dev.fusedit.training.config.TrainConfig;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test-only entry point that writes one kind of output over and over, version after version,
 * printing "DONE v" after each complete write (a checkpoint: "WRITING step" half-way through it), so that {@link CrashConsistencyTest} can kill it
 * at any point of a write (or starve it of disk) and then look at what is on disk.
 * Usage: {@code java ... CrashWriters png|report|checkpoint|convert TARGET [CONFIG|MODEL]}.
 */
public final class CrashWriters {
    private CrashWriters() {}

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[1]);
        try {
            switch (args[0]) {
                case "png" -> {
                    for (int v = 0; ; v++) {
                        pngOfVersion(v).writePng(target);
                        done(v);
                    }
                }
                case "report" -> {
                    for (int v = 0; ; v++) {
                        reportOfVersion(v).write(target);
                        done(v);
                    }
                }
                case "checkpoint" -> {
                    // checkpointing_steps: 1 in the config: every step ends in a checkpoint write; resumes a run that has some
                    boolean resume = java.nio.file.Files.isDirectory(target.resolve("checkpoints"));
                    try (Trainer t = new Trainer(TrainConfig.read(Path.of(args[2])), target, 1_000_000, 1, resume ? target : null)) {
                        // announced half-way through each checkpoint (model written, trainer state not yet): the test aims its kills there
                        t.onCheckpointWrite((step, partial) -> {
                            System.out.println("WRITING " + step);
                            System.out.flush();
                        });
                        t.train();
                    }
                }
                case "convert" -> {
                    for (int v = 0; ; v++) {
                        int rc = Main.commandLine().execute("convert", "--model", args[2], "--out", target.resolve("v" + v).toString(),
                                "--dtype", v % 2 == 0 ? "bf16" : "f32");
                        if (rc != 0) throw new java.io.IOException("convert exited with " + rc);
                        done(v);
                    }
                }
                default -> throw new IllegalArgumentException("unknown writer " + args[0]);
            }
        } catch (java.io.IOException e) {
            // a full disk: the test checks what the failed write left behind
            System.out.println("FAILED " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }

    private static void done(int v) {
        System.out.println("DONE " + v);
        System.out.flush();
    }

    /** Version v of the image: its size grows with v (so a small disk fills up), pixel (0, 0) holds v. */
    static RgbImage pngOfVersion(int v) {
        int side = 32 + 8 * v;
        byte[] px = new byte[side * side * 3];
        long state = v * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < px.length; i++) {
            // noise, so the PNG does not compress away and its size follows the side
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            px[i] = (byte) state;
        }
        px[0] = (byte) v;
        px[1] = (byte) (v >> 8);
        return new RgbImage(side, side, px);
    }

    static int versionOf(RgbImage image) {
        return (image.pixels()[0] & 0xff) | (image.pixels()[1] & 0xff) << 8;
    }

    /** An eval report whose overall score encodes v. */
    static ShapesReport reportOfVersion(int v) {
        Map<Category, Double> categories = new LinkedHashMap<>();
        for (Category c : Category.values()) categories.put(c, v / 1e6);
        return new ShapesReport(v / 1e6, categories, v, List.of());
    }
}
