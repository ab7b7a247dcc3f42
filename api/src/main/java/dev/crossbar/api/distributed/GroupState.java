package dev.crossbar.api.distributed;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** What the ranks of one in-process group share: its name, ranks, timeout and the rendezvous in progress. */
final class GroupState {
    private final String name;
    private final List<Integer> ranks;
    private final Duration timeout;
    private final ConcurrentMap<String, Rendezvous> pending = new ConcurrentHashMap<>();

    GroupState(String name, List<Integer> ranks, Duration timeout) {
        this.name = name;
        this.ranks = List.copyOf(ranks);
        this.timeout = timeout;
    }

    String name() {
        return name;
    }

    List<Integer> ranks() {
        return ranks;
    }

    Duration timeout() {
        return timeout;
    }

    /** The rendezvous under a key, created by the first rank that arrives there. */
    Rendezvous rendezvous(String key, long sequence, int[] slotRanks) {
        return pending.computeIfAbsent(key, k -> new Rendezvous(this, k, sequence, slotRanks));
    }

    /** Forgets a rendezvous every rank has arrived at. */
    void retire(String key, Rendezvous rendezvous) {
        pending.remove(key, rendezvous);
    }

    /** Fails every rendezvous still waiting. */
    void abortAll(String reason, Throwable cause) {
        pending.values().forEach(r -> r.abort(reason, cause));
    }
}
