package dev.fusedit.fuzz;

import java.nio.file.Path;
import java.util.List;

/**
 * One reader of outside files under the campaign: each input is written to {@code file} (inside
 * a scratch folder the test has set up with whatever else the reader needs around it) and
 * {@code read} reads it as the project would, through to the values a caller uses.
 *
 * @param name    the reader, as the report names it
 * @param file    where every input is written
 * @param format  how the inputs parse as trees for structure-aware edits (null: binary)
 * @param seeds   valid inputs the mutations start from (each must read without error)
 * @param read    the reading; what it returns is summarised into the outcome (feedback for the corpus)
 * @param refusal what counts as the reader's documented refusal
 */
record FuzzTarget(String name, Path file, TreeMutator.Format format, List<byte[]> seeds, Reading read, Refusal refusal) {

    @FunctionalInterface
    interface Reading {
        Object read(Path file) throws Exception;
    }

    /** Decides whether an exception is a refusal the reader documents (else it is a finding). */
    @FunctionalInterface
    interface Refusal {
        boolean accepts(Throwable error, Path scratch);
    }

    /** The project's rule: a {@link dev.fusedit.tensor.io.FormatException} whose message names a file of the scratch folder. */
    static final Refusal FORMAT_EXCEPTION_NAMING_THE_FILE = (error, scratch) ->
            error instanceof dev.fusedit.tensor.io.FormatException && error.getMessage() != null
                    && error.getMessage().contains(scratch.toString());

    FuzzTarget(String name, Path file, TreeMutator.Format format, List<byte[]> seeds, Reading read) {
        this(name, file, format, seeds, read, FORMAT_EXCEPTION_NAMING_THE_FILE);
    }
}
