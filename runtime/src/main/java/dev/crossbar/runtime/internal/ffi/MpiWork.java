package dev.crossbar.runtime.internal.ffi;

import dev.crossbar.api.distributed.CollectiveException;
import dev.crossbar.api.distributed.Work;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One rank's part of a collective (or of a send or receive) in an {@link MpiGroup}. It goes through phases: the
 * control handshake (every rank of the group announced the same call), the transfer (non-blocking MPI requests,
 * polled with {@code MPI_Test}), then the result is built on the awaiting thread. Whoever awaits drives the progress
 * of every pending operation of the process.
 *
 * @param <T> the result
 */
final class MpiWork<T> implements Work<T> {
    enum Phase {
        /** Waiting for the other ranks' announcements (or, for a receive, the sender's). */
        HANDSHAKE,
        /** MPI requests posted. */
        TRANSFER,
        /** Every request completed; the result is built by the next await. */
        TRANSFERRED,
        DONE,
        FAILED
    }

    /** Posts the MPI requests of the transfer, once the handshake completed. */
    @FunctionalInterface
    interface Transfer {
        void start(MpiWork<?> work);
    }

    private final MpiGroup group;
    private final String op;
    private final long sequence;
    private final String call;
    private final long startNanos;
    /** Small native memory of the requests (MPI_Request cells, count arrays); freed with the work by the GC. */
    private final Arena arena = Arena.ofAuto();
    private final List<MemorySegment> requests = new ArrayList<>();
    private final List<AutoCloseable> temporaries = new ArrayList<>();
    private MemorySegment sendMemory;
    private AutoCloseable output;
    private Transfer transfer;
    private Supplier<T> finisher;
    private Phase phase = Phase.HANDSHAKE;
    private T result;
    private RuntimeException failure;

    MpiWork(MpiGroup group, String op, long sequence, String call) {
        this.group = group;
        this.op = op;
        this.sequence = sequence;
        this.call = call;
        this.startNanos = System.nanoTime();
    }

    void define(Transfer transfer, Supplier<T> finisher) {
        this.transfer = transfer;
        this.finisher = finisher;
    }

    String op() {
        return op;
    }

    long sequence() {
        return sequence;
    }

    /** The call as the other ranks see it, such as {@code "allReduce(SUM, f32[4])"}. */
    String call() {
        return call;
    }

    long startNanos() {
        return startNanos;
    }

    synchronized Phase phase() {
        return phase;
    }

    /** A new {@code MPI_Request} cell for this work's transfer. */
    MemorySegment newRequest() {
        MemorySegment request = arena.allocate(ValueLayout.ADDRESS);
        requests.add(request);
        return request;
    }

    /** Native ints (counts, displacements) that live as long as the work. */
    MemorySegment ints(int[] values) {
        return arena.allocateFrom(ValueLayout.JAVA_INT, values);
    }

    /** The memory MPI sends from. */
    void sendMemory(MemorySegment memory) {
        this.sendMemory = memory;
    }

    MemorySegment sendMemory() {
        return sendMemory;
    }

    /** The result tensor MPI writes into: handed to the caller on success, closed on failure. */
    void output(AutoCloseable tensor) {
        this.output = tensor;
    }

    /** A tensor or buffer the transfer reads or writes, closed when the work completes or fails. */
    void temporary(AutoCloseable resource) {
        temporaries.add(resource);
    }

    /** Posts the transfer's requests; called under the MPI lock. */
    void startTransfer() {
        transfer.start(this);
        synchronized (this) {
            if (phase == Phase.HANDSHAKE) {
                phase = Phase.TRANSFER;
            }
        }
    }

    /** Tests the posted requests; true when all completed. Called under the MPI lock. */
    boolean testRequests(NativeMpi mpi, MemorySegment flag, MemorySegment status) {
        while (!requests.isEmpty()) {
            if (!mpi.test(requests.getLast(), flag, status)) {
                return false;
            }
            requests.removeLast();
        }
        synchronized (this) {
            if (phase == Phase.TRANSFER) {
                phase = Phase.TRANSFERRED;
            }
        }
        return true;
    }

    /** Fails the work; the transfer's buffers are closed only if no request is left pending in MPI. */
    void fail(RuntimeException error, boolean requestsAbandoned) {
        synchronized (this) {
            if (phase == Phase.DONE || phase == Phase.FAILED) {
                return;
            }
            phase = Phase.FAILED;
            failure = error;
        }
        if (!requestsAbandoned) {
            if (output != null) {
                temporaries.add(output);
            }
            closeTemporaries();
        }
    }

    @Override
    public T await() {
        return awaitUntil(startNanos + group.timeout().toNanos(), group.timeout());
    }

    @Override
    public T await(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("await: the timeout must be >= 0, got " + timeout);
        }
        long sinceStart = System.nanoTime() - startNanos;
        Duration untilGroupTimeout = group.timeout().minusNanos(sinceStart);
        // Both measured from the call, so a shorter caller timeout is reported as what expired.
        return timeout.compareTo(untilGroupTimeout) < 0 ? awaitUntil(startNanos + sinceStart + timeout.toNanos(), timeout.plusNanos(sinceStart))
                : await();
    }

    @Override
    public boolean isDone() {
        group.progress();
        if (System.nanoTime() - startNanos >= group.timeout().toNanos()) {
            group.expire(this, group.timeout());
        }
        Phase p = phase();
        return p == Phase.TRANSFERRED || p == Phase.DONE || p == Phase.FAILED;
    }

    private T awaitUntil(long deadline, Duration limit) {
        long waitingSince = System.nanoTime();
        while (true) {
            group.progress();
            synchronized (this) {
                if (phase == Phase.TRANSFERRED) {
                    finish();
                }
                if (phase == Phase.DONE) {
                    return result;
                }
                if (phase == Phase.FAILED) {
                    throw failure;
                }
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                group.expire(this, limit);
                continue;
            }
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new CollectiveException(group.toString(), op, sequence,
                        String.format(Locale.ROOT, "Interrupted while waiting for %s #%d on %s", op, sequence, group), new InterruptedException());
            }
            backOff(now - waitingSince);
        }
    }

    /** Spins for the first 50 us (MPI's own blocking calls spin), then yields, then sleeps in 50 us steps after 2 ms. */
    private static void backOff(long waitedNanos) {
        if (waitedNanos < TimeUnit.MICROSECONDS.toNanos(50)) {
            Thread.onSpinWait();
        } else if (waitedNanos < TimeUnit.MILLISECONDS.toNanos(2)) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }

    /** Builds the result on the awaiting thread; holds this work's monitor. */
    private void finish() {
        try {
            result = finisher.get();
            phase = Phase.DONE;
        } catch (RuntimeException e) {
            phase = Phase.FAILED;
            failure = new CollectiveException(group.toString(), op, sequence, String.format(Locale.ROOT,
                    "%s #%d on %s transferred its data but could not build the result: %s; keep the scope that was current at the call open "
                            + "until the collective completes", op, sequence, group, e), e);
        } finally {
            closeTemporaries();
        }
    }

    private void closeTemporaries() {
        for (AutoCloseable t : temporaries) {
            try {
                t.close();
            } catch (Exception e) {
                throw new IllegalStateException("Closing a buffer of " + this + " failed", e);
            }
        }
        temporaries.clear();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Work[%s #%d on %s, %s]", op, sequence, group, phase());
    }
}
