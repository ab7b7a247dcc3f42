package dev.crossbar.spi;

import java.util.function.Supplier;

/**
 * What the ranks of a group can exchange on the host besides a backend's own communicator: the opaque bytes that
 * communicator starts from, such as NCCL's and RCCL's unique id ({@code ncclGetUniqueId} on one rank, then
 * {@code ncclCommInitRank} on every rank with the same bytes), and, before each of its collectives, the check that
 * every rank makes the same call. The runtime implements it over its in-process communicator and over MPI when the job
 * was started by {@code mpirun}; a backend receives it and never depends on the runtime or on MPI.
 */
public interface CommunicatorBootstrap {
    /**
     * Makes the bytes on the group's first rank and gives every rank a copy. Every rank of the group must call it, at
     * the same point of its program, like a collective.
     *
     * @param create makes the bytes; called on the first rank only
     * @return the first rank's bytes, on every rank
     * @throws dev.crossbar.api.distributed.CollectiveException if a rank does not arrive within the group's timeout,
     *     naming it
     */
    byte[] shareFromRankZero(Supplier<byte[]> create);

    /**
     * Checks that every rank of the group makes the same call as this one before a library that cannot check it runs
     * the collective: NCCL and RCCL hang on a rank that never calls and have undefined behaviour on mismatched calls.
     * This rank announces its call and waits until every rank has announced its own: one small host message per rank
     * and collective, and no device work. Every rank calls it with consecutive sequence numbers from 0, once per
     * collective of the backend's group.
     *
     * @param op the collective, such as {@code "allReduce"}
     * @param arguments what every rank must agree on, rendered, such as {@code "SUM, f32[4]"}
     * @param sequence the collective's number within the backend's group, for the messages
     * @throws dev.crossbar.api.distributed.CollectiveTimeoutException on every rank, naming the ranks that did not
     *     announce the call within the group's timeout (a rank that announces it later fails too)
     * @throws dev.crossbar.api.distributed.CollectiveMismatchException on every rank, naming two calls that differ
     */
    void agree(String op, String arguments, long sequence);
}
