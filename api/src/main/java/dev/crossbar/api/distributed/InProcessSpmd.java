package dev.crossbar.api.distributed;

import dev.crossbar.api.Device;
import dev.crossbar.api.TensorScope;
import dev.crossbar.spi.Backend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one rank per device of one backend in this JVM, each on its own platform thread, with collectives carried by
 * an in-process communicator that works on any eager backend: the last rank to arrive at a collective computes
 * every rank's result with tensor ops (in rank order, so the result is deterministic) and copies it to each rank's
 * device. Applications use the runtime's {@code Spmd.run(worldSize, body)}, which creates the backend; this class
 * is the backend-independent core, also used by the conformance kit.
 *
 * <pre>{@code
 * List<Double> sums = InProcessSpmd.call(backend, 4, SpmdOptions.defaults(), rank -> {
 *     Tensor x = rank.scope().full(Shape.of(3), rank.rank(), DType.F32);
 *     return rank.world().allReduce(x, ReduceOp.SUM).sum().item();   // 18.0 on every rank
 * });
 * }</pre>
 *
 * <p>When the backend has its own collectives ({@link Backend#communicators()}, such as NCCL's), the ranks' groups are
 * the backend's, their unique ids shared over the in-process communicator.
 *
 * <p>Rank {@code r} runs on device {@code r} of the backend with a root {@link TensorScope} on it, closed when its
 * body returns. When a rank throws, the run stops: the other ranks' waiting collectives fail, their threads are
 * interrupted, and the first failure is thrown to the caller as the cause of an {@link SpmdException}. A run that
 * exceeds {@link SpmdOptions#totalTimeout()} is stopped the same way.
 */
public final class InProcessSpmd {
    /** How long stopped ranks get to notice and return before the caller is told anyway. */
    private static final long STOP_GRACE_MILLIS = 10_000;

    private InProcessSpmd() {
    }

    /**
     * Runs {@code body} on {@code worldSize} ranks and waits for all of them.
     *
     * @param backend the backend whose devices {@code 0 .. worldSize - 1} the ranks use
     * @param worldSize the number of ranks, at least 1
     * @param options the timeouts
     * @param body what each rank runs
     * @throws SpmdException if a rank failed or the run timed out
     * @throws IllegalArgumentException if the backend has fewer than {@code worldSize} devices
     */
    public static void run(Backend backend, int worldSize, SpmdOptions options, RankBody body) {
        Objects.requireNonNull(body, "body is null");
        call(backend, worldSize, options, rank -> {
            body.run(rank);
            return null;
        });
    }

    /**
     * Runs {@code function} on {@code worldSize} ranks, waits for all of them and returns their values.
     *
     * @param <T> the value each rank returns
     * @param backend the backend whose devices {@code 0 .. worldSize - 1} the ranks use
     * @param worldSize the number of ranks, at least 1
     * @param options the timeouts
     * @param function what each rank runs
     * @return the ranks' values, index = rank (null values allowed)
     * @throws SpmdException if a rank failed or the run timed out
     * @throws IllegalArgumentException if the backend has fewer than {@code worldSize} devices
     */
    public static <T> List<T> call(Backend backend, int worldSize, SpmdOptions options, RankFunction<T> function) {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(function, "function is null");
        List<Device> devices = backend.devices();
        if (worldSize < 1) {
            throw new IllegalArgumentException("The world size must be >= 1, got " + worldSize);
        }
        if (devices.size() < worldSize) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "A world of %d ranks needs %d devices, one per rank, but backend '%s' has %d: %s; for the cpu backend set crossbar.cpu.devices=%d",
                    worldSize, worldSize, backend.name(), devices.size(), devices, worldSize));
        }
        InProcessCommunicator communicator = new InProcessCommunicator(backend.name(), devices.subList(0, worldSize), options.collectiveTimeout(),
                backend.communicators());
        Object[] values = new Object[worldSize];
        Throwable[] failures = new Throwable[worldSize];
        AtomicReference<Integer> firstFailed = new AtomicReference<>();
        Thread[] threads = new Thread[worldSize];
        for (int r = 0; r < worldSize; r++) {
            int rank = r;
            threads[r] = Thread.ofPlatform().name("crossbar-rank-" + r).daemon(true).unstarted(() -> {
                try (TensorScope root = TensorScope.root(backend, devices.get(rank))) {
                    values[rank] = function.apply(new InProcessRankContext(communicator, rank, root));
                    communicator.closeBackendGroups(rank);
                } catch (Throwable t) {
                    failures[rank] = t;
                    if (firstFailed.compareAndSet(null, rank)) {
                        communicator.abort(String.format(Locale.ROOT, "rank %d failed with %s", rank, t), t);
                        for (Thread other : threads) {
                            if (other != Thread.currentThread()) {
                                other.interrupt();
                            }
                        }
                    }
                    try {
                        communicator.closeBackendGroups(rank);
                    } catch (RuntimeException e) {
                        t.addSuppressed(e);
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.start();
        }
        long deadline = System.nanoTime() + options.totalTimeout().toNanos();
        boolean timedOut = !joinAll(threads, deadline);
        if (timedOut && firstFailed.get() == null) {
            communicator.abort("the run exceeded its total timeout of " + options.totalTimeout(), null);
            for (Thread t : threads) {
                t.interrupt();
            }
            joinAll(threads, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MILLIS));
            List<String> running = Arrays.stream(threads).filter(Thread::isAlive).map(Thread::getName).toList();
            throw new SpmdException(-1, String.format(Locale.ROOT, "The SPMD run of %d ranks did not finish within %s (%s); still running: %s",
                    worldSize, options.totalTimeout(), SpmdOptions.TOTAL_TIMEOUT_PROPERTY, running), null);
        }
        Integer failed = firstFailed.get();
        if (failed != null) {
            joinAll(threads, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MILLIS));
            Throwable first = failures[failed];
            SpmdException e = new SpmdException(failed, String.format(Locale.ROOT, "Rank %d of %d failed: %s", failed, worldSize, first), first);
            for (int r = 0; r < worldSize; r++) {
                if (r != failed && failures[r] != null && failures[r] != first && !isConsequence(failures[r], first)) {
                    e.addSuppressed(failures[r]);
                }
            }
            throw e;
        }
        @SuppressWarnings("unchecked")
        List<T> result = (List<T>) Arrays.asList(values);
        return new ArrayList<>(result);
    }

    /** Waits for every thread until the deadline; true when all ended. */
    private static boolean joinAll(Thread[] threads, long deadline) {
        try {
            for (Thread t : threads) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !t.join(java.time.Duration.ofNanos(remaining))) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (Thread t : threads) {
                t.interrupt();
            }
            throw new SpmdException(-1, "Interrupted while waiting for the SPMD ranks; they were interrupted too", e);
        }
    }

    /** A failure caused by stopping the run after {@code first}: an interrupt, or a collective aborted because of it. */
    private static boolean isConsequence(Throwable failure, Throwable first) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t == first || t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }
}
