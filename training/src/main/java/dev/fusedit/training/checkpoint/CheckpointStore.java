package dev.fusedit.training.checkpoint;

import dev.fusedit.tensor.io.FileTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoints of a run, OUT/checkpoints/step-NNNNNNN/, each written whole into a hidden
 * temporary folder and renamed into place, so a run killed while writing leaves the previous
 * checkpoints intact and no half-written one that could be resumed from.
 */
public final class CheckpointStore {
    private static final Pattern NAME = Pattern.compile("step-(\\d+)");
    private final Path root;

    public CheckpointStore(Path outputDir) {
        this.root = outputDir.resolve("checkpoints");
    }

    public Path root() {
        return root;
    }

    /** Folder name of a step's checkpoint. */
    public static String name(long step) {
        return String.format("step-%07d", step);
    }

    /** A fresh temporary folder to write a checkpoint into (left-overs of killed writes are removed first). */
    public Path begin(long step) throws IOException {
        Files.createDirectories(root);
        restoreReplaced(root);
        removeTemporaries();
        return Files.createTempDirectory(root, "." + name(step) + ".");
    }

    /**
     * Makes a fully written temporary folder the checkpoint of {@code step}. A folder cannot be
     * renamed over another, so a checkpoint of the same step (a run started again in its folder)
     * is first renamed aside: a crash before the new one is in place leaves it there, and
     * {@link #restoreReplaced} puts it back.
     */
    public Path commit(Path temporary, long step) throws IOException {
        Path target = root.resolve(name(step));
        Path aside = root.resolve("." + name(step) + REPLACED);
        FileTrees.delete(aside);
        if (Files.exists(target)) Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        FileTrees.delete(aside);
        return target;
    }

    private static final String REPLACED = ".replaced";

    /** A checkpoint renamed aside by a commit that did not finish goes back in place (or away, when the new one made it). */
    private static void restoreReplaced(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) return;
        List<Path> aside;
        try (Stream<Path> s = Files.list(folder)) {
            aside = s.filter(p -> p.getFileName().toString().startsWith(".step-") && p.getFileName().toString().endsWith(REPLACED)).toList();
        }
        for (Path p : aside) {
            String name = p.getFileName().toString();
            Path target = folder.resolve(name.substring(1, name.length() - REPLACED.length()));
            if (Files.exists(target)) FileTrees.delete(p);
            else Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() throws IOException {
        return latestIn(root);
    }

    /** The newest complete checkpoint in {@code dir}: a checkpoints folder, a run folder, or a checkpoint itself. */
    public static Optional<Path> latestIn(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("trainer/state.json"))) return Optional.of(dir);
        Path folder = Files.isDirectory(dir.resolve("checkpoints")) ? dir.resolve("checkpoints") : dir;
        if (!Files.isDirectory(folder)) return Optional.empty();
        restoreReplaced(folder);
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve("trainer/state.json")))
                    .max(Comparator.comparingLong(CheckpointStore::stepOf));
        }
    }

    public static long stepOf(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(checkpoint + " is not a checkpoint folder (step-NNNNNNN)");
        return Long.parseLong(m.group(1));
    }

    private void removeTemporaries() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".step-")).toList()) FileTrees.delete(p);
        }
    }

}
