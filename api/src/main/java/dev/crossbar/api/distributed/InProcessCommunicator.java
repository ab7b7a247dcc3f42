package dev.crossbar.api.distributed;

import dev.crossbar.api.Device;
import dev.crossbar.spi.CommunicatorFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Collectives between the ranks of one JVM, one rank per device of one backend. Groups are cached by their set of
 * ranks: one shared state per set, and one {@link ProcessGroup} per rank and set. When the backend has its own
 * collectives ({@link dev.crossbar.spi.Backend#communicators()}), the groups ranks get are the backend's, bootstrapped
 * over the in-process group of the same ranks.
 */
final class InProcessCommunicator {
    private final String backendName;
    private final List<Device> devices;
    private final Duration timeout;
    private final ConcurrentMap<List<Integer>, GroupState> groups = new ConcurrentHashMap<>();
    private final List<ConcurrentMap<List<Integer>, InProcessGroup>> views = new ArrayList<>();
    private final Optional<CommunicatorFactory> factory;
    private final List<ConcurrentMap<List<Integer>, CommunicatorFactory.Communicator>> backendGroups = new ArrayList<>();
    private final Set<Integer> closedRanks = ConcurrentHashMap.newKeySet();
    private volatile String abortReason;
    private volatile Throwable abortCause;

    InProcessCommunicator(String backendName, List<Device> devices, Duration timeout, Optional<CommunicatorFactory> factory) {
        this.backendName = backendName;
        this.devices = List.copyOf(devices);
        this.timeout = timeout;
        this.factory = factory;
        for (int i = 0; i < devices.size(); i++) {
            views.add(new ConcurrentHashMap<>());
            backendGroups.add(new ConcurrentHashMap<>());
        }
    }

    String backendName() {
        return backendName;
    }

    int worldSize() {
        return devices.size();
    }

    Device device(int rank) {
        return devices.get(rank);
    }

    /**
     * The group of {@code ranks} as seen by {@code rank}; the same instance for the same set. With a backend factory,
     * the first call for a set is a collective of its ranks (they create the backend's communicator together); it runs
     * on the rank's own thread, the only one that reads and writes the rank's maps.
     */
    ProcessGroup group(int rank, Collection<Integer> ranks) {
        List<Integer> sorted = normalize(rank, ranks);
        InProcessGroup inProcess = views.get(rank).computeIfAbsent(sorted, key -> new InProcessGroup(this, state(key), rank, devices.get(rank)));
        if (factory.isEmpty()) {
            return inProcess;
        }
        CommunicatorFactory.Communicator existing = backendGroups.get(rank).get(sorted);
        if (existing != null) {
            return existing;
        }
        checkRunning("creating the backend communicator", state(sorted).name());
        CommunicatorFactory.Membership membership = new CommunicatorFactory.Membership(state(sorted).name(), sorted, rank, devices.get(rank), timeout);
        CommunicatorFactory.Communicator created = factory.get().create(membership, inProcess);
        backendGroups.get(rank).put(sorted, created);
        if (abortReason != null) {
            created.abort(abortReason);
        }
        return created;
    }

    /**
     * Closes the backend communicators of a rank whose body returned or failed (after an abort, closing releases what
     * the abort left), once per rank; they stay listed, so that an abort of the run still reaches them.
     */
    void closeBackendGroups(int rank) {
        if (closedRanks.add(rank)) {
            CommunicatorFactory.Communicator.closeAll(backendGroups.get(rank).values());
        }
    }

    private GroupState state(List<Integer> ranks) {
        return groups.computeIfAbsent(ranks, key -> new GroupState((key.size() == worldSize() ? "world " : "group ") + key, key, timeout));
    }

    private List<Integer> normalize(int rank, Collection<Integer> ranks) {
        Set<Integer> set = new TreeSet<>();
        for (Integer r : ranks) {
            if (r == null || r < 0 || r >= worldSize()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Rank %s of group %s is outside the run's ranks 0 to %d", r, ranks, worldSize() - 1));
            }
            if (!set.add(r)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Rank %d appears twice in group %s", r, ranks));
            }
        }
        if (!set.contains(rank)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "Rank %d asked for group %s, which it is not part of; a rank can only use groups that contain it", rank, ranks));
        }
        return List.copyOf(set);
    }

    /** Fails every waiting collective and every later call, because the run is ending. */
    void abort(String reason, Throwable cause) {
        abortCause = cause;
        abortReason = reason;
        groups.values().forEach(g -> g.abortAll(reason, cause));
        backendGroups.forEach(rankGroups -> rankGroups.values().forEach(g -> g.abort(reason)));
    }

    /** Closes the window between {@link #checkRunning} and an arrival that an abort may have slipped into. */
    void abortIfStopped(Rendezvous rendezvous) {
        String reason = abortReason;
        if (reason != null) {
            rendezvous.abort(reason, abortCause);
        }
    }

    void checkRunning(String op, String group) {
        String reason = abortReason;
        if (reason != null) {
            throw new CollectiveException(group, op, -1, String.format(Locale.ROOT, "%s on %s refused: %s", op, group, reason), abortCause);
        }
    }
}
