package dev.crossbar.backend.xla.lazy;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.distributed.CollectiveException;
import dev.crossbar.api.distributed.CollectiveMismatchException;
import dev.crossbar.api.distributed.CollectiveTimeoutException;
import dev.crossbar.api.distributed.SpmdOptions;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What the ranks of one lazy process group share: a handshake before each collective is recorded, so that a missing
 * rank times out and mismatched calls fail at the call, on every rank, naming the calls (the contract of
 * {@link dev.crossbar.api.distributed.ProcessGroup}), before anything enters a rank's graph; and the mailbox of
 * {@code send} and {@code recv}, which move bytes through the host. Only threads of one process meet here.
 */
final class GroupHandshake {
    private final String name;
    private final List<Integer> ranks;
    private final Duration timeout;
    private final Map<Long, Meeting> meetings = new HashMap<>();
    private final Map<List<Integer>, Letter> mailbox = new HashMap<>();
    private String abortReason;
    private int left;

    GroupHandshake(String name, List<Integer> ranks, Duration timeout) {
        this.name = name;
        this.ranks = List.copyOf(ranks);
        this.timeout = timeout;
    }

    /** A sent tensor's type, shape and bytes. */
    record Letter(DType dtype, Shape shape, MemorySegment bytes) {
    }

    /** The calls of one sequence number, by group rank. */
    private final class Meeting {
        private final String[] signatures = new String[ranks.size()];
        private int arrived;
        private int first = -1;
        private boolean complete;
        private CollectiveException failure;

        String call(int slot) {
            return signatures[slot] + " from rank " + ranks.get(slot);
        }
    }

    /**
     * Waits until every rank of the group called collective number {@code sequence} with the same signature.
     *
     * @param sequence the collective's number in this rank's calls on the group
     * @param slot this rank's group rank
     * @param op the collective's name
     * @param signature the call, such as {@code "allReduce(SUM, f32[4])"}
     * @throws CollectiveTimeoutException if a rank does not call within the group's timeout, naming it
     * @throws CollectiveMismatchException if a rank called something else, naming both calls
     */
    synchronized void meet(long sequence, int slot, String op, String signature) {
        checkRunning(op, sequence);
        Meeting meeting = meetings.computeIfAbsent(sequence, s -> new Meeting());
        meeting.signatures[slot] = signature;
        meeting.arrived++;
        if (meeting.arrived == ranks.size()) {
            meetings.remove(sequence);
        }
        if (meeting.failure == null && meeting.first >= 0 && !meeting.signatures[meeting.first].equals(signature)) {
            meeting.failure = new CollectiveMismatchException(name, op, sequence, meeting.call(meeting.first), meeting.call(slot), String.format(Locale.ROOT,
                    "Collective #%d on %s: %s does not match %s; every rank of the group must call the same collective, with the same dtype, shape"
                            + " and arguments, at the same point of its program", sequence, name, meeting.call(meeting.first), meeting.call(slot)));
            notifyAll();
        }
        if (meeting.failure != null) {
            throw meeting.failure;
        }
        if (meeting.first < 0) {
            meeting.first = slot;
        }
        if (meeting.arrived == ranks.size()) {
            meeting.complete = true;
            notifyAll();
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!meeting.complete && meeting.failure == null) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                List<Integer> missing = new ArrayList<>();
                List<String> present = new ArrayList<>();
                for (int s = 0; s < ranks.size(); s++) {
                    if (meeting.signatures[s] == null) {
                        missing.add(ranks.get(s));
                    } else {
                        present.add(meeting.call(s));
                    }
                }
                meeting.failure = new CollectiveTimeoutException(name, op, sequence, missing, timeout, String.format(Locale.ROOT,
                        "%s #%d on %s timed out after %s: %s never called it; arrived: %s. Every rank of the group must call the same collectives in"
                                + " the same order; if some ranks are just slow, raise %s (now %s)", op, sequence, name, timeout,
                        missing.size() == 1 ? "rank " + missing.getFirst() : "ranks " + missing, present.stream().collect(Collectors.joining(", ", "[", "]")),
                        SpmdOptions.COLLECTIVE_TIMEOUT_PROPERTY, timeout));
                notifyAll();
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CollectiveException(name, op, sequence, String.format(Locale.ROOT, "Interrupted while waiting for %s #%d on %s", op, sequence, name), e);
            }
            checkRunning(op, sequence);
        }
        if (meeting.failure != null) {
            throw meeting.failure;
        }
    }

    /** Leaves a sent tensor for {@code to}; the n-th letter from one rank to another pairs with the n-th receive. */
    synchronized void post(int from, int to, long number, Letter letter) {
        mailbox.put(List.of(from, to, (int) number), letter);
        notifyAll();
    }

    /**
     * Waits for the letter {@code from} sends to {@code to} as its {@code number}-th.
     *
     * @throws CollectiveTimeoutException if it does not arrive within the group's timeout, naming the sender
     */
    synchronized Letter collect(int from, int to, long number, long sequence) {
        List<Integer> key = List.of(from, to, (int) number);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!mailbox.containsKey(key)) {
            checkRunning("recv", sequence);
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new CollectiveTimeoutException(name, "recv", sequence, List.of(ranks.get(from)), timeout, String.format(Locale.ROOT,
                        "recv #%d on %s timed out after %s: rank %d never sent to rank %d; raise %s if it is just slow", sequence, name, timeout,
                        ranks.get(from), ranks.get(to), SpmdOptions.COLLECTIVE_TIMEOUT_PROPERTY));
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CollectiveException(name, "recv", sequence, String.format(Locale.ROOT, "Interrupted while waiting for recv #%d on %s", sequence, name), e);
            }
        }
        return mailbox.remove(key);
    }

    /** Counts one rank's group closed; tells whether it was the last of the group's ranks. */
    synchronized boolean leave() {
        left++;
        return left == ranks.size();
    }

    /** Fails every waiting and later call: the run is being stopped. */
    synchronized void abort(String reason) {
        abortReason = reason;
        notifyAll();
    }

    private void checkRunning(String op, long sequence) {
        if (abortReason != null) {
            throw new CollectiveException(name, op, sequence, String.format(Locale.ROOT, "%s #%d on %s refused: %s", op, sequence, name, abortReason), null);
        }
    }
}
