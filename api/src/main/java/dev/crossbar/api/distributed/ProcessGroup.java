package dev.crossbar.api.distributed;

import dev.crossbar.api.Device;
import dev.crossbar.api.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The ranks that take part in collectives together, seen from one of them, as PyTorch's {@code ProcessGroup}. Every
 * rank of the group must call the same collectives in the same order with compatible tensors (same element type;
 * same shape unless stated otherwise); the n-th collective call of each rank forms the group's collective number n,
 * its sequence number.
 *
 * <p>Results are new tensors owned by the scope that is current on the calling thread when the collective is called
 * (with none open, the input's scope), on the input's device; the input is never changed. Ranks passed to
 * {@link #broadcast}, {@link #send} and {@link #recv} are group ranks, {@code 0 .. size() - 1}; {@link #ranks()} maps
 * them to global ranks.
 *
 * <p>Each collective has an asynchronous form returning {@link Work}; the blocking form is that form followed by
 * {@link Work#await()}. Every collective times out after {@link #timeout()} with {@link CollectiveTimeoutException}
 * naming the ranks that never arrived, and incompatible calls fail on every rank with
 * {@link CollectiveMismatchException}. Arguments one rank can check alone (a root out of range, {@link ReduceOp#AVG}
 * on integers) fail at once with {@link IllegalArgumentException} or
 * {@link dev.crossbar.api.DTypeNotAdmittedException} and do not take a sequence number.
 *
 * <p>Dim-0 splits ({@link #reduceScatter}, {@link #allToAll}) follow {@link #chunkSizes(int, int)}: a length not
 * divisible by the group size gives the first ranks one row more.
 */
public interface ProcessGroup {
    /**
     * Returns this rank's index in the group.
     *
     * @return the group rank, {@code 0 .. size() - 1}
     */
    int rank();

    /**
     * Returns the number of ranks in the group.
     *
     * @return the group size
     */
    int size();

    /**
     * Returns the global ranks of the group, indexed by group rank.
     *
     * @return the global ranks, ascending
     */
    List<Integer> ranks();

    /**
     * Returns the device of this rank, where {@link #recv} places what it receives.
     *
     * @return the device
     */
    Device device();

    /**
     * Returns how long a collective of this group waits for every rank to arrive.
     *
     * @return the timeout, counted from each call
     */
    Duration timeout();

    // ---------------------------------------------------------------- all-reduce

    /**
     * Starts combining the tensors of every rank element-wise; every rank receives the combination.
     *
     * @param tensor this rank's contribution; every rank passes the same dtype and shape
     * @param op how to combine
     * @return the collective; its result is the combination
     */
    Work<Tensor> allReduceAsync(Tensor tensor, ReduceOp op);

    /**
     * Combines the tensors of every rank element-wise; every rank receives the combination.
     *
     * @param tensor this rank's contribution; every rank passes the same dtype and shape
     * @param op how to combine
     * @return the combination, a new tensor
     */
    default Tensor allReduce(Tensor tensor, ReduceOp op) {
        return allReduceAsync(tensor, op).await();
    }

    // ---------------------------------------------------------------- all-gather

    /**
     * Starts gathering every rank's tensor, concatenated along dim 0 in rank order.
     *
     * @param tensor this rank's part; every rank passes the same dtype and shape
     * @return the collective; its result has dim 0 {@code size()} times as long ({@code [size()]} for scalars)
     */
    Work<Tensor> allGatherAsync(Tensor tensor);

    /**
     * Gathers every rank's tensor, concatenated along dim 0 in rank order.
     *
     * @param tensor this rank's part; every rank passes the same dtype and shape
     * @return the gathered tensor, dim 0 {@code size()} times as long ({@code [size()]} for scalars)
     */
    default Tensor allGather(Tensor tensor) {
        return allGatherAsync(tensor).await();
    }

    /**
     * Starts gathering every rank's tensor as a list; ranks may mix this form with {@link #allGatherAsync}.
     *
     * @param tensor this rank's part; every rank passes the same dtype and shape
     * @return the collective; its result holds one copy per rank, in rank order
     */
    Work<List<Tensor>> allGatherListAsync(Tensor tensor);

    /**
     * Gathers every rank's tensor as a list.
     *
     * @param tensor this rank's part; every rank passes the same dtype and shape
     * @return one copy per rank, in rank order
     */
    default List<Tensor> allGatherList(Tensor tensor) {
        return allGatherListAsync(tensor).await();
    }

    // ---------------------------------------------------------------- reduce-scatter

    /**
     * Starts combining every rank's tensor element-wise and giving each rank one dim-0 chunk of the combination.
     *
     * @param tensor this rank's contribution, rank at least 1; every rank passes the same dtype and shape
     * @param op how to combine
     * @return the collective; its result is rows {@code [start, start + chunkSizes(n, size())[rank()])} of the
     *     combination, where {@code n} is the length of dim 0 and {@code start} the sum of the earlier chunks
     */
    Work<Tensor> reduceScatterAsync(Tensor tensor, ReduceOp op);

    /**
     * Combines every rank's tensor element-wise and gives each rank one dim-0 chunk of the combination. Unlike
     * PyTorch's {@code reduce_scatter_tensor}, dim 0 need not be divisible by the group size: chunks follow
     * {@link #chunkSizes(int, int)}.
     *
     * @param tensor this rank's contribution, rank at least 1; every rank passes the same dtype and shape
     * @param op how to combine
     * @return this rank's chunk of the combination, a new tensor
     */
    default Tensor reduceScatter(Tensor tensor, ReduceOp op) {
        return reduceScatterAsync(tensor, op).await();
    }

    // ---------------------------------------------------------------- broadcast

    /**
     * Starts sending the root's tensor to every rank.
     *
     * @param tensor the root's value; on the other ranks its dtype and shape must match the root's and its elements
     *     are ignored
     * @param root the group rank that sends
     * @return the collective; its result is a copy of the root's tensor
     */
    Work<Tensor> broadcastAsync(Tensor tensor, int root);

    /**
     * Sends the root's tensor to every rank. Unlike PyTorch's in-place {@code broadcast}, the result is a new tensor;
     * assign it ({@link Tensor#assign}) to update a parameter.
     *
     * @param tensor the root's value; on the other ranks its dtype and shape must match the root's and its elements
     *     are ignored
     * @param root the group rank that sends
     * @return a copy of the root's tensor
     */
    default Tensor broadcast(Tensor tensor, int root) {
        return broadcastAsync(tensor, root).await();
    }

    // ---------------------------------------------------------------- all-to-all

    /**
     * Starts the exchange of {@link #allToAll}.
     *
     * @param tensor this rank's tensor, rank at least 1; every rank passes the same dtype and shape
     * @return the collective; its result is described on {@link #allToAll}
     */
    Work<Tensor> allToAllAsync(Tensor tensor);

    /**
     * Splits every rank's tensor along dim 0 into {@code size()} chunks ({@link #chunkSizes(int, int)}) and sends
     * chunk {@code j} to rank {@code j}; each rank receives the chunks addressed to it concatenated in rank order, as
     * PyTorch's {@code all_to_all_single} without split sizes.
     *
     * @param tensor this rank's tensor, rank at least 1; every rank passes the same dtype and shape
     * @return {@code size() * chunkSizes(n, size())[rank()]} rows: chunk {@code rank()} of rank 0, then of rank 1,
     *     and so on
     */
    default Tensor allToAll(Tensor tensor) {
        return allToAllAsync(tensor).await();
    }

    // ---------------------------------------------------------------- point to point

    /**
     * Starts sending a tensor to one rank, which receives it with {@link #recv}. The n-th send from this rank to
     * {@code dst} pairs with the n-th receive of {@code dst} from this rank; the send completes when it is received.
     *
     * @param tensor the tensor
     * @param dst the receiving group rank, not this rank
     * @return the collective
     */
    Work<Void> sendAsync(Tensor tensor, int dst);

    /**
     * Sends a tensor to one rank and waits until it is received.
     *
     * @param tensor the tensor
     * @param dst the receiving group rank, not this rank
     */
    default void send(Tensor tensor, int dst) {
        sendAsync(tensor, dst).await();
    }

    /**
     * Starts receiving the tensor one rank sends with {@link #send}.
     *
     * @param src the sending group rank, not this rank
     * @return the collective; its result is a copy of the sent tensor on {@link #device()}, owned by the scope
     *     current on the calling thread
     * @throws IllegalStateException if no scope is open on the calling thread to own the result
     */
    Work<Tensor> recvAsync(int src);

    /**
     * Receives the tensor one rank sends with {@link #send}.
     *
     * @param src the sending group rank, not this rank
     * @return a copy of the sent tensor on {@link #device()}, owned by the scope current on the calling thread
     * @throws IllegalStateException if no scope is open on the calling thread to own the result
     */
    default Tensor recv(int src) {
        return recvAsync(src).await();
    }

    // ---------------------------------------------------------------- barrier

    /**
     * Starts a barrier: it completes when every rank of the group has called it.
     *
     * @return the collective
     */
    Work<Void> barrierAsync();

    /** Waits until every rank of the group has called the barrier. */
    default void barrier() {
        barrierAsync().await();
    }

    // ---------------------------------------------------------------- splits

    /**
     * Splits a length into {@code parts} chunks as {@code numpy.array_split} and PyTorch's {@code tensor_split} do:
     * the first {@code length % parts} chunks have {@code ceil(length / parts)} elements, the rest
     * {@code floor(length / parts)}. (PyTorch's {@code chunk} differs: it makes chunks of {@code ceil} size and may
     * make fewer than {@code parts}.) Chunks are empty when {@code length < parts}.
     *
     * @param length the length to split, at least 0
     * @param parts the number of chunks, at least 1
     * @return the chunk sizes, summing to {@code length}
     */
    static int[] chunkSizes(int length, int parts) {
        if (length < 0 || parts < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Cannot split length %d into %d parts; need length >= 0 and parts >= 1", length, parts));
        }
        int[] sizes = new int[parts];
        for (int i = 0; i < parts; i++) {
            sizes[i] = length / parts + (i < length % parts ? 1 : 0);
        }
        return sizes;
    }
}
