package dev.crossbar.spi;

import dev.crossbar.api.Device;
import dev.crossbar.api.distributed.ProcessGroup;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A backend's own collectives, such as NCCL's between CUDA devices or RCCL's between AMD GPUs, offered through
 * {@link Backend#communicators()}. The runtime uses them instead of its in-process or MPI communicators when every rank
 * of a run is a device of that backend, and hands each group a {@link CommunicatorBootstrap} to agree on what the
 * backend's communicator starts from (its unique id).
 */
@FunctionalInterface
public interface CommunicatorFactory {
    /**
     * Creates this rank's view of a group of devices of this backend. Every rank of the group calls it, at the same point
     * of its program and on its own thread, like a collective: the backend typically calls
     * {@link CommunicatorBootstrap#shareFromRankZero} and then joins its library's communicator.
     *
     * @param membership the group and this rank's place in it
     * @param bootstrap shares bytes from the group's first rank with every rank of the group
     * @return the group; the runtime closes it when the rank's body returns and aborts it when the run fails
     */
    Communicator create(Membership membership, CommunicatorBootstrap bootstrap);

    /**
     * A group and one rank's place in it.
     *
     * @param name the group's name in messages, such as {@code "world [0, 1]"}
     * @param ranks the group's global ranks, ascending; group rank {@code i} is global rank {@code ranks.get(i)}
     * @param globalRank this rank, one of {@code ranks}
     * @param device this rank's device, one of the backend's
     * @param timeout how long a collective of the group waits for every rank
     */
    record Membership(String name, List<Integer> ranks, int globalRank, Device device, Duration timeout) {
        /**
         * Checks and copies the fields.
         *
         * @throws IllegalArgumentException if {@code globalRank} is not among {@code ranks}
         */
        public Membership {
            Objects.requireNonNull(name, "name is null");
            ranks = List.copyOf(ranks);
            Objects.requireNonNull(device, "device is null");
            Objects.requireNonNull(timeout, "timeout is null");
            if (!ranks.contains(globalRank)) {
                throw new IllegalArgumentException("Rank " + globalRank + " is not a member of group " + name + " " + ranks);
            }
        }

        /**
         * Returns this rank's index in the group.
         *
         * @return the group rank, {@code 0 .. ranks().size() - 1}
         */
        public int groupRank() {
            return ranks.indexOf(globalRank);
        }
    }

    /** One rank's view of a group whose collectives run in the backend's library, which holds native resources. */
    interface Communicator extends ProcessGroup, AutoCloseable {
        /**
         * Returns the group and this rank's place in it, as the factory received them.
         *
         * @return the membership
         */
        Membership membership();

        @Override
        default int rank() {
            return membership().groupRank();
        }

        @Override
        default int size() {
            return membership().ranks().size();
        }

        @Override
        default List<Integer> ranks() {
            return membership().ranks();
        }

        @Override
        default Device device() {
            return membership().device();
        }

        @Override
        default Duration timeout() {
            return membership().timeout();
        }

        /**
         * Stops the group because the run is failing: collectives in flight and later calls fail on this rank instead of
         * waiting for ranks that will not come (NCCL's {@code ncclCommAbort}). Safe to call from any thread, more than once.
         *
         * @param reason why, for the messages of the failed collectives
         */
        void abort(String reason);

        /** Releases the library's communicator after the rank's last collective; nothing is released twice after an abort. */
        @Override
        void close();

        /**
         * Closes every communicator of a rank, after its body returned or after an abort: all are closed even when one
         * fails, and the first failure is thrown with the others suppressed. The caller closes each once; a closed
         * communicator may still be aborted, which then only wakes what other ranks wait for.
         *
         * @param communicators the rank's communicators
         */
        static void closeAll(Collection<? extends Communicator> communicators) {
            RuntimeException failure = null;
            for (Communicator communicator : List.copyOf(communicators)) {
                try {
                    communicator.close();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
