package dev.crossbar.api.distributed;

import dev.crossbar.api.CrossbarException;

/**
 * An SPMD run failed: a rank threw (the cause is the first failure; later failures of other ranks that are not
 * consequences of it are suppressed exceptions), or the run exceeded its total timeout.
 */
public final class SpmdException extends CrossbarException {
    private final int rank;

    /**
     * Creates the error.
     *
     * @param rank the rank that failed first, or -1 when the run timed out as a whole
     * @param message what happened
     * @param cause the rank's failure, or null
     */
    public SpmdException(int rank, String message, Throwable cause) {
        super(message, cause);
        this.rank = rank;
    }

    /**
     * Returns the rank that failed first.
     *
     * @return the global rank, or -1 when the run timed out as a whole
     */
    public int rank() {
        return rank;
    }
}
