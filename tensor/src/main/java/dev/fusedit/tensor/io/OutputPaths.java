package dev.fusedit.tensor.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before a long run starts, that its outputs can be written: a sample run that denoises
 * for minutes and only then finds /proc or a read-only disk under --out has wasted the minutes.
 * The check does what the real write will do first (create the folder, create a file in it) and
 * removes what it made, so a refusal names the path and the system's reason up front.
 */
public final class OutputPaths {
    private OutputPaths() {}

    /** The file will be written atomically (beside itself, then renamed): its folder must take a new file, and file must not be a folder. */
    public static void checkFileWritable(Path file, String what) throws IOException {
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target)) throw new IOException(what + " " + file + ": is a folder, expected a file name");
        probe(target.getParent(), what + " " + file);
    }

    /** The folder will be created if missing and files written into it. */
    public static void checkFolderWritable(Path folder, String what) throws IOException {
        Path target = folder.toAbsolutePath();
        if (Files.exists(target) && !Files.isDirectory(target)) throw new IOException(what + " " + folder + ": exists and is not a folder");
        probe(target, what + " " + folder);
    }

    private static void probe(Path folder, String what) throws IOException {
        Path created = firstMissing(folder);
        try {
            Files.createDirectories(folder);
            Path probe = Files.createTempFile(folder, ".fusedit-write-check", ".tmp");
            Files.delete(probe);
        } catch (FileSystemException e) {
            throw new IOException(what + ": cannot be written (" + reason(e) + ")");
        } finally {
            // leave no empty folders behind the check; the real write creates them again
            if (created != null) FileTrees.deleteEmptyFolders(created);
        }
    }

    /** The outermost folder of path that does not exist yet (null when path exists). */
    private static Path firstMissing(Path path) {
        Path missing = null;
        for (Path p = path; p != null && !Files.exists(p); p = p.getParent()) missing = p;
        return missing;
    }

    private static String reason(FileSystemException e) {
        String r = e.getReason();
        return r != null ? r + ": " + e.getFile() : e.getClass().getSimpleName() + ": " + e.getFile();
    }
}
