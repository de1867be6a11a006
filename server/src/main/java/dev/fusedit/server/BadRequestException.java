package dev.fusedit.server;

/**
 * A request the server refuses, answered with HTTP 400 and an OpenAI-style error body naming
 * {@code param}: the JSON field at fault, or null where the request as a whole is (not JSON, too
 * large).
 */
public final class BadRequestException extends RuntimeException {
    private final String param;

    public BadRequestException(String param, String message) {
        super(message);
        this.param = param;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }
}
