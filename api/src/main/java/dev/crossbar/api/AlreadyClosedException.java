package dev.crossbar.api;

/** Thrown when a closed tensor or scope is used; the message reads {@code "Already closed: <what>"}. */
public class AlreadyClosedException extends CrossbarException {
    /**
     * Creates the error.
     *
     * @param what the closed object, described by its {@code toString()}
     */
    public AlreadyClosedException(Object what) {
        super("Already closed: " + what);
    }
}
