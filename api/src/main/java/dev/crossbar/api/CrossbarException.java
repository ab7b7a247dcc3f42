package dev.crossbar.api;

/** Base class of every error Crossbar reports; each message names the values involved and what to do. */
public class CrossbarException extends RuntimeException {
    /**
     * Creates an error.
     *
     * @param message what happened, with the values, and the fix
     */
    public CrossbarException(String message) {
        super(message);
    }

    /**
     * Creates an error with a cause.
     *
     * @param message what happened, with the values, and the fix
     * @param cause the underlying error
     */
    public CrossbarException(String message, Throwable cause) {
        super(message, cause);
    }
}
