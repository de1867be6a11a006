package dev.fusedit.tensor.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Whole folder trees deleted or copied: temporary checkpoint folders, bench scratch, converted models. */
public final class FileTrees {
    private FileTrees() {}

    /** Deletes p and everything under it; nothing happens if p does not exist. */
    public static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    /** Deletes the folders under and at p that hold no files (deepest first); anything with a file in it stays. */
    public static void deleteEmptyFolders(Path p) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS)) continue;
                try (Stream<Path> inside = Files.list(q)) {
                    if (inside.findAny().isEmpty()) Files.delete(q);
                }
            }
        }
    }

    /** Copies the tree at from to to, leaving out the file skip; links (a shared vae/) are copied as links. */
    public static void copy(Path from, Path to, Path skip) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                if (p.equals(skip)) continue;
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) Files.copy(p, dest, LinkOption.NOFOLLOW_LINKS);
                else if (Files.isDirectory(p)) Files.createDirectories(dest);
                else Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
