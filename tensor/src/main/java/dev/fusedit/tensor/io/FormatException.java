package dev.fusedit.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not what it claims to be; the message names the file and the problem. */
public final class FormatException extends IOException {
    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
