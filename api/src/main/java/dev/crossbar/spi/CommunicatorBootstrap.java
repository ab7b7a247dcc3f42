package dev.crossbar.spi;

import java.util.function.Supplier;

/**
 * How the processes of a multi-process job agree on the opaque bytes a backend's own communicator starts from, such as
 * NCCL's and RCCL's unique id ({@code ncclGetUniqueId} on one rank, then {@code ncclCommInitRank} on every rank with
 * the same bytes). The runtime implements it over MPI when the job was started by {@code mpirun}; a backend receives
 * it and never depends on the runtime or on MPI.
 */
@FunctionalInterface
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
}
