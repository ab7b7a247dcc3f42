package dev.crossbar.api.distributed;

/**
 * Two ranks of a group made incompatible calls at the same sequence number: different collectives, or the same
 * collective with different element types, shapes, reduce operations or roots. The message names both calls. The
 * collective fails on every rank of the group, including ranks that call it later.
 */
public final class CollectiveMismatchException extends CollectiveException {
    private final String firstCall;
    private final String secondCall;

    /**
     * Creates the error.
     *
     * @param group the group's name
     * @param op the collective the first rank called
     * @param sequence the sequence number both calls share
     * @param firstCall the first call, such as {@code "allReduce(SUM, f32[4]) from rank 0"}
     * @param secondCall the call that disagrees with it
     * @param message the full description
     */
    public CollectiveMismatchException(String group, String op, long sequence, String firstCall, String secondCall, String message) {
        super(group, op, sequence, message, null);
        this.firstCall = firstCall;
        this.secondCall = secondCall;
    }

    /**
     * Returns the call that arrived first.
     *
     * @return a description such as {@code "allReduce(SUM, f32[4]) from rank 0"}
     */
    public String firstCall() {
        return firstCall;
    }

    /**
     * Returns the call that disagrees with the first.
     *
     * @return a description such as {@code "allGather(f32[4]) from rank 1"}
     */
    public String secondCall() {
        return secondCall;
    }
}
