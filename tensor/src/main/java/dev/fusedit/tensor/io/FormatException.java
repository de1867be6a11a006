package dev.fusedit.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The project's one error for bad input files: a file (or folder) from outside that is missing,
 * not in its format, or has a field out of range. The message is "FILE: problem", naming the
 * field where there is one ("config.json: num_hidden_layers: expected an integer, got 1.5");
 * the CLI prints it as one line. Every reader of outside files ends in a result or in this
 * exception, which the fuzz campaign (module fuzz, docs/reliability.md) checks input by input.
 */
public final class FormatException extends IOException {
    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /** A problem on one line of a text file, as compilers write it: "FILE:LINE: problem". */
    public FormatException(Path file, int line, String problem) {
        super(file + ":" + line + ": " + problem);
    }

    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
