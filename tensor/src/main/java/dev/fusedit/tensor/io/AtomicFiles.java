package dev.fusedit.tensor.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small text files (reports, state files) replaced whole: written beside the target, then renamed over it. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes text (UTF-8) to file, creating its folder; a reader sees the old file or the new one, never a part. */
    public static void writeString(Path file, String text) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            SafeTensorsWriter.moveAtomically(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
