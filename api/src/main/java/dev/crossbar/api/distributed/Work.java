package dev.crossbar.api.distributed;

import java.time.Duration;

/**
 * A collective in flight, returned by the asynchronous forms of {@link ProcessGroup}'s collectives, as PyTorch's
 * {@code Work}. The blocking forms are the asynchronous form followed by {@link #await()}.
 *
 * <p>The input tensor of a collective is copied when the collective is called, so the caller may change or close it
 * at once; the scope that owns the results must stay open until the collective completes.
 *
 * @param <T> the result: a tensor, a list of tensors, or {@link Void} for collectives without one
 */
public interface Work<T> {
    /**
     * Waits for the collective to complete, at most until the group's timeout (counted from the call) expires.
     *
     * @return the result, owned by the scope that was current when the collective was called
     * @throws CollectiveTimeoutException if the timeout expired before every rank arrived; the collective then
     *     fails on every rank
     * @throws CollectiveMismatchException if the ranks called different collectives or incompatible tensors
     * @throws CollectiveException if the collective failed otherwise, or the waiting thread was interrupted
     */
    T await();

    /**
     * Waits for the collective to complete, at most {@code timeout} and never past the group's timeout. When the
     * time runs out before every rank arrived, the collective fails on every rank as if the group's timeout had
     * expired; poll with {@link #isDone()} to wait without that consequence.
     *
     * @param timeout the longest wait
     * @return the result, owned by the scope that was current when the collective was called
     * @throws CollectiveTimeoutException if the time ran out before every rank arrived
     * @throws CollectiveMismatchException if the ranks called different collectives or incompatible tensors
     * @throws CollectiveException if the collective failed otherwise, or the waiting thread was interrupted
     */
    T await(Duration timeout);

    /**
     * Tells whether the collective has completed, successfully or not, without waiting. A collective whose group
     * timeout has expired is failed by this call and reported done.
     *
     * @return true when {@link #await()} would return or throw at once
     */
    boolean isDone();
}
