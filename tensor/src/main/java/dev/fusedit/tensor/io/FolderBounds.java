package dev.fusedit.tensor.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Keeps reads inside the folder the user gave. Folders come from the internet (a pipeline, a
 * sharded checkpoint), so neither a name written in one of their files ({@code "../../x"},
 * {@code "/etc/x"}) nor a symbolic link in them may lead out of the folder: a shard index or a
 * link could otherwise make us read, and echo in an error, any file the user can read.
 */
public final class FolderBounds {
    private FolderBounds() {}

    /**
     * The file {@code name} (read from {@code namedIn}'s {@code field}) inside {@code folder}: a
     * relative path without "..", whose real location (links followed) is inside the folder.
     */
    public static Path resolveInside(Path folder, String name, Path namedIn, String field) throws IOException {
        Path given;
        try {
            given = Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new FormatException(namedIn, field + ": '" + name + "' is not a file name");
        }
        if (name.isEmpty() || given.isAbsolute() || given.getRoot() != null || containsParentStep(given))
            throw new FormatException(namedIn, field + ": '" + name + "' points outside " + folder + " (expected a name inside the folder)");
        Path file = folder.resolve(given);
        if (Files.exists(file)) requireRealPathInside(folder, file, namedIn, field);
        return file;
    }

    /** Refuses every symbolic link under {@code folder} whose target lies outside it, naming the link and where it leads. */
    public static void requireNoLinkOutside(Path folder) throws IOException {
        List<Path> links;
        try (Stream<Path> walk = Files.walk(folder)) {
            links = walk.filter(Files::isSymbolicLink).toList();
        }
        for (Path link : links) requireRealPathInside(folder, link, link, "symbolic link");
    }

    private static void requireRealPathInside(Path folder, Path file, Path namedIn, String field) throws IOException {
        Path root = folder.toRealPath();
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException dangling) {
            throw new FormatException(namedIn, field + ": " + file + " is a link to nothing (" + Files.readSymbolicLink(file) + ")");
        }
        if (!real.startsWith(root))
            throw new FormatException(namedIn, field + ": " + folder.relativize(file) + " leads outside " + folder + " (to " + real
                    + "); links out of a folder from elsewhere are not followed, copy the target into the folder instead");
    }

    private static boolean containsParentStep(Path p) {
        for (Path part : p) if (part.toString().equals("..")) return true;
        return false;
    }
}
