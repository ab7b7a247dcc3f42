package dev.crossbar.api.distributed;

import dev.crossbar.api.Tensor;

/**
 * Told about the collectives a rank starts through the groups of a context wrapped by
 * {@link RankContext#observed(RankContext, CollectiveObserver)}, on that rank's thread: for counting, tracing and
 * profiling what a training step communicates, as PyTorch's profiler records communication.
 */
public interface CollectiveObserver {
    /**
     * A collective started.
     *
     * @param op {@code "allReduce"}, {@code "allGather"}, {@code "reduceScatter"}, {@code "broadcast"},
     *     {@code "allToAll"}, {@code "send"}, {@code "recv"} or {@code "barrier"}
     * @param input the tensor this rank contributes, or null for recv and barrier
     */
    void started(String op, Tensor input);

    /**
     * The rank took the result of a collective it started: its {@link Work} was awaited for the first time.
     *
     * @param op the collective, as passed to {@link #started}
     */
    default void finished(String op) {
    }
}
