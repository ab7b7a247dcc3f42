package dev.crossbar.api.distributed;

import dev.crossbar.api.Device;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The meeting point of one collective (or one send/receive pair): each rank deposits a copy of its input, the last
 * to arrive computes every rank's result with tensor ops, moves each into the scope its rank named, and completes
 * every rank's {@link Work}. A mismatch, timeout or abort fails every rank, including ranks that arrive later.
 */
final class Rendezvous {
    /**
     * One rank's part.
     *
     * @param slot the rank's index in this rendezvous (its group rank; 0 sender, 1 receiver for send/receive)
     * @param call what the rank called
     * @param input the rank's copy of its input, or null
     * @param owner the scope that owns the rank's result
     * @param device where the rank's result goes
     * @param work the rank's work, completed here
     * @param form how the rank wants the result (a concatenation or a list, for all-gather), or null
     */
    record Arrival(int slot, CollectiveCall call, Tensor input, TensorScope owner, Device device, InProcessWork<?> work, Object form) {
    }

    /** Computes every rank's result, indexed by slot, on the computing thread; the results are moved afterwards. */
    @FunctionalInterface
    interface Computation {
        Object[] compute(Arrival[] arrivals);
    }

    private final GroupState group;
    private final String key;
    private final long sequence;
    private final int[] slotRanks;
    private final Arrival[] arrivals;
    private int arrived;
    private Arrival first;
    private CollectiveException failure;
    private boolean complete;

    Rendezvous(GroupState group, String key, long sequence, int[] slotRanks) {
        this.group = group;
        this.key = key;
        this.sequence = sequence;
        this.slotRanks = slotRanks;
        this.arrivals = new Arrival[slotRanks.length];
    }

    /** Deposits one rank's part; the last arrival computes and completes everyone's work before returning. */
    void arrive(Arrival arrival, Computation computation) {
        List<Arrival> toFail = List.of();
        Arrival[] all = null;
        CollectiveException failed;
        boolean retire;
        synchronized (this) {
            if (arrivals[arrival.slot()] != null) {
                throw new IllegalStateException("Rank " + arrival.call().globalRank() + " arrived twice at " + this);
            }
            arrivals[arrival.slot()] = arrival;
            arrived++;
            if (failure == null && first != null && !first.call().agreement().equals(arrival.call().agreement())) {
                failure = mismatch(first.call(), arrival.call());
                toFail = present();
            } else if (failure != null) {
                toFail = List.of(arrival);
            } else {
                if (first == null) {
                    first = arrival;
                }
                if (arrived == arrivals.length) {
                    complete = true;
                    all = arrivals.clone();
                }
            }
            failed = failure;
            retire = arrived == arrivals.length;
        }
        failAll(toFail, failed);
        if (all != null) {
            computeAndComplete(all, computation, arrival);
        }
        if (retire) {
            group.retire(key, this);
        }
    }

    /** Fails the collective on every rank with a timeout, unless every rank arrived (then the last one is computing). */
    void expire(Duration waited) {
        List<Arrival> toFail;
        CollectiveException timeout;
        synchronized (this) {
            if (complete || failure != null) {
                return;
            }
            List<Integer> missing = new ArrayList<>();
            for (int slot = 0; slot < arrivals.length; slot++) {
                if (arrivals[slot] == null) {
                    missing.add(slotRanks[slot]);
                }
            }
            String op = first.call().op();
            failure = new CollectiveTimeoutException(group.name(), op, sequence, missing, waited, String.format(Locale.ROOT,
                    "%s #%d on %s timed out after %s: %s never called it; arrived: %s. Every rank of the group must call the same "
                            + "collectives in the same order; if some ranks are just slow, raise %s (now %s)",
                    op, sequence, group.name(), waited, missing.size() == 1 ? "rank " + missing.getFirst() : "ranks " + missing, describe(present()),
                    SpmdOptions.COLLECTIVE_TIMEOUT_PROPERTY, group.timeout()));
            toFail = present();
            timeout = failure;
        }
        failAll(toFail, timeout);
    }

    /** Fails the collective on every rank because the run is being torn down, unless it already completed. */
    void abort(String reason, Throwable cause) {
        List<Arrival> toFail;
        CollectiveException aborted;
        synchronized (this) {
            if (complete || failure != null || first == null) {
                return;
            }
            String op = first.call().op();
            failure = new CollectiveException(group.name(), op, sequence,
                    String.format(Locale.ROOT, "%s #%d on %s cannot complete: %s", op, sequence, group.name(), reason), cause);
            toFail = present();
            aborted = failure;
        }
        failAll(toFail, aborted);
    }

    /** The error of a rank whose wait was interrupted; the collective itself goes on for the other ranks. */
    synchronized CollectiveException interrupted(InterruptedException e) {
        String op = first == null ? "collective" : first.call().op();
        return new CollectiveException(group.name(), op, sequence,
                String.format(Locale.ROOT, "Interrupted while waiting for %s #%d on %s", op, sequence, group.name()), e);
    }

    private CollectiveMismatchException mismatch(CollectiveCall a, CollectiveCall b) {
        return new CollectiveMismatchException(group.name(), a.op(), sequence, a.toString(), b.toString(), String.format(Locale.ROOT,
                "Collective #%d on %s: %s does not match %s; every rank of the group must call the same collective, with the same "
                        + "dtype, shape and arguments, at the same point of its program",
                sequence, group.name(), a, b));
    }

    private List<Arrival> present() {
        List<Arrival> list = new ArrayList<>();
        for (Arrival a : arrivals) {
            if (a != null) {
                list.add(a);
            }
        }
        return list;
    }

    private static String describe(List<Arrival> arrivals) {
        return arrivals.stream().map(a -> a.call().toString()).collect(Collectors.joining(", ", "[", "]"));
    }

    private static void failAll(List<Arrival> arrivals, CollectiveException failure) {
        for (Arrival a : arrivals) {
            closeInput(a);
            a.work().fail(failure);
        }
    }

    private static void closeInput(Arrival a) {
        if (a.input() != null) {
            a.input().close();
        }
    }

    private void computeAndComplete(Arrival[] all, Computation computation, Arrival self) {
        Tensor anchor = self.input();
        for (int i = 0; anchor == null && i < all.length; i++) {
            anchor = all[i].input();
        }
        try (Grad.Scope off = Grad.noGrad(); TensorScope local = anchor == null ? null : TensorScope.localFor(anchor)) {
            Object[] results = computation.compute(all);
            for (Arrival a : all) {
                deliver(a, results[a.slot()]);
            }
        } catch (RuntimeException | Error e) {
            CollectiveException failed = new CollectiveException(group.name(), self.call().op(), sequence, String.format(Locale.ROOT,
                    "%s #%d on %s failed while rank %d computed it: %s", self.call().op(), sequence, group.name(), self.call().globalRank(), e), e);
            for (Arrival a : all) {
                a.work().fail(failed);
            }
        } finally {
            for (Arrival a : all) {
                closeInput(a);
            }
        }
    }

    /** Moves a rank's result into its scope and completes its work. */
    private void deliver(Arrival a, Object result) {
        try {
            if (result instanceof Tensor t) {
                a.owner().adopt(t);
            } else if (result instanceof List<?> list) {
                for (Object t : list) {
                    a.owner().adopt((Tensor) t);
                }
            }
            a.work().complete(result);
        } catch (RuntimeException e) {
            a.work().fail(new CollectiveException(group.name(), a.call().op(), sequence, String.format(Locale.ROOT,
                    "%s #%d on %s computed the result of rank %d but could not hand it over: %s; keep the scope that was current at the call open "
                            + "until the collective completes", a.call().op(), sequence, group.name(), a.call().globalRank(), e), e));
        }
    }

    @Override
    public String toString() {
        return key + " on " + group.name();
    }
}
