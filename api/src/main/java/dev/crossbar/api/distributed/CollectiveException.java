package dev.crossbar.api.distributed;

import dev.crossbar.api.CrossbarException;

/**
 * A collective failed; the message names the group, the collective and its sequence number within the group.
 * Subclasses say why: {@link CollectiveTimeoutException}, {@link CollectiveMismatchException}.
 */
public class CollectiveException extends CrossbarException {
    private final String group;
    private final String op;
    private final long sequence;

    /**
     * Creates an error.
     *
     * @param group the group, as {@link ProcessGroup#toString()} names it
     * @param op the collective, such as {@code "allReduce"}
     * @param sequence the collective's sequence number within the group, from 0
     * @param message what happened, with the values, and the fix
     * @param cause the underlying error, or null
     */
    public CollectiveException(String group, String op, long sequence, String message, Throwable cause) {
        super(message, cause);
        this.group = group;
        this.op = op;
        this.sequence = sequence;
    }

    /**
     * Returns the group the collective ran in.
     *
     * @return the group's name, as {@link ProcessGroup#toString()} gives it
     */
    public String group() {
        return group;
    }

    /**
     * Returns the collective.
     *
     * @return its name, such as {@code "allReduce"}
     */
    public String op() {
        return op;
    }

    /**
     * Returns the collective's sequence number within its group: the number of collectives the group ran before.
     *
     * @return the sequence number, from 0
     */
    public long sequence() {
        return sequence;
    }
}
