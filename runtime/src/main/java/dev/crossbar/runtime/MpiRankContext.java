package dev.crossbar.runtime;

import dev.crossbar.api.Device;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.runtime.internal.ffi.MpiCommunicator;
import dev.crossbar.spi.CommunicatorFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The rank of this process in an Open MPI job: its groups carry collectives between processes with MPI, or, when the
 * backend has its own collectives, are the backend's, bootstrapped over MPI. Used on the rank's own thread only.
 */
final class MpiRankContext implements RankContext {
    private final MpiCommunicator mpi;
    private final String channel;
    private final int worldSize;
    private final Device device;
    private final TensorScope scope;
    private final Duration timeout;
    private final Optional<CommunicatorFactory> factory;
    private final Map<List<Integer>, CommunicatorFactory.Communicator> backendGroups = new HashMap<>();
    private boolean backendGroupsClosed;
    private final ProcessGroup world;

    /**
     * @param channel the name that keeps these groups apart from other contexts' groups over the same processes
     * @param worldSize the run's ranks: the job's first {@code worldSize} processes
     * @param factory the backend's collectives, used for every group when present
     */
    MpiRankContext(MpiCommunicator mpi, String channel, int worldSize, Device device, TensorScope scope, Duration timeout,
            Optional<CommunicatorFactory> factory) {
        this.mpi = mpi;
        this.channel = channel;
        this.worldSize = worldSize;
        this.device = device;
        this.scope = scope;
        this.timeout = timeout;
        this.factory = factory;
        this.world = group(IntStream.range(0, worldSize).boxed().toList());
    }

    @Override
    public int rank() {
        return mpi.rank();
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public TensorScope scope() {
        return scope;
    }

    @Override
    public ProcessGroup world() {
        return world;
    }

    @Override
    public ProcessGroup group(List<Integer> ranks) {
        List<Integer> members = normalize(ranks);
        String name = (members.size() == worldSize ? "world " : "group ") + members;
        if (factory.isEmpty()) {
            return mpi.group(channel, members, name, device, timeout);
        }
        CommunicatorFactory.Communicator existing = backendGroups.get(members);
        if (existing != null) {
            return existing;
        }
        CommunicatorFactory.Communicator created = factory.get().create(new CommunicatorFactory.Membership(name, members, rank(), device, timeout),
                mpi.bootstrap(channel, members, name, device, timeout));
        backendGroups.put(members, created);
        return created;
    }

    /** Closes the backend's communicators after the rank's body returned or after they were aborted, once. */
    void closeBackendGroups() {
        if (!backendGroupsClosed) {
            backendGroupsClosed = true;
            CommunicatorFactory.Communicator.closeAll(backendGroups.values());
        }
    }

    /** Aborts the backend's communicators because the rank failed. */
    void abortBackendGroups(String reason) {
        backendGroups.values().forEach(g -> g.abort(reason));
    }

    private List<Integer> normalize(Collection<Integer> ranks) {
        Set<Integer> set = new TreeSet<>();
        for (Integer r : ranks) {
            if (r == null || r < 0 || r >= worldSize()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Rank %s of group %s is outside the run's ranks 0 to %d", r, ranks, worldSize() - 1));
            }
            if (!set.add(r)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Rank %d appears twice in group %s", r, ranks));
            }
        }
        if (!set.contains(rank())) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "Rank %d asked for group %s, which it is not part of; a rank can only use groups that contain it", rank(), ranks));
        }
        return List.copyOf(set);
    }

    @Override
    public String toString() {
        return "RankContext[rank " + rank() + " of " + worldSize() + " on " + device + ", MPI process]";
    }
}
