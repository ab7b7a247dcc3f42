package dev.crossbar.api.distributed;

import java.time.Duration;
import java.util.List;

/**
 * A collective's timeout expired before every rank of the group called it. The message names the group, the
 * collective, its sequence number, the calls that did arrive (with their shapes) and the ranks that never did.
 * The collective fails on every rank of the group, including ranks that call it later.
 */
public final class CollectiveTimeoutException extends CollectiveException {
    private final List<Integer> missingRanks;
    private final Duration timeout;

    /**
     * Creates the error.
     *
     * @param group the group's name
     * @param op the collective
     * @param sequence its sequence number within the group
     * @param missingRanks the global ranks that never called it
     * @param timeout the timeout that expired
     * @param message the full description
     */
    public CollectiveTimeoutException(String group, String op, long sequence, List<Integer> missingRanks, Duration timeout, String message) {
        super(group, op, sequence, message, null);
        this.missingRanks = List.copyOf(missingRanks);
        this.timeout = timeout;
    }

    /**
     * Returns the ranks that never called the collective.
     *
     * @return global ranks, ascending
     */
    public List<Integer> missingRanks() {
        return missingRanks;
    }

    /**
     * Returns the timeout that expired.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }
}
