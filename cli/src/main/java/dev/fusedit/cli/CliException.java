package dev.fusedit.cli;

/** A user-facing error: printed as one line without a stack trace, exit code 2. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }
}
