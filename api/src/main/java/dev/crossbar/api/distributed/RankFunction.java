package dev.crossbar.api.distributed;

/**
 * The code one rank of an SPMD run executes, returning a value the launcher collects in rank order.
 *
 * @param <T> the value; plain data rather than tensors, which close with the rank's scope
 */
@FunctionalInterface
public interface RankFunction<T> {
    /**
     * Runs one rank.
     *
     * @param rank the rank's context
     * @return the rank's value
     * @throws Exception any failure, reported to the launcher's caller
     */
    T apply(RankContext rank) throws Exception;
}
