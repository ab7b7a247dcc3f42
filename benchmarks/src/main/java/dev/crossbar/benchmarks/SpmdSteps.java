package dev.crossbar.benchmarks;

import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.runtime.Crossbar;
import dev.crossbar.runtime.Spmd;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Ranks of an in-process SPMD run (virtual cpu devices) that stay up between measurements: each {@link #run()} lets
 * every rank perform one step of its workload and returns when all have finished, so rank start-up and model
 * sharding happen once, outside the timed steps.
 */
final class SpmdSteps implements Workload {
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(30);

    private final int worldSize;
    private final CyclicBarrier start;
    private final CyclicBarrier done;
    private final Thread runner;
    private volatile boolean stopping;
    private volatile boolean stepFailed;
    private volatile Throwable failure;

    /**
     * Starts the ranks; each builds its workload with {@code perRank} on its own thread before its first step.
     *
     * @param worldSize the number of ranks, one virtual cpu device each
     * @param perRank builds what one rank runs
     */
    SpmdSteps(int worldSize, Function<RankContext, Workload> perRank) {
        this.worldSize = worldSize;
        this.start = new CyclicBarrier(worldSize + 1);
        this.done = new CyclicBarrier(worldSize + 1);
        this.runner = Thread.ofPlatform().name("spmd-steps").daemon().start(() -> {
            try {
                Spmd.call(Crossbar.builder().backend("cpu"), worldSize, SpmdOptions.defaults(), rank -> {
                    try (Workload workload = perRank.apply(rank)) {
                        while (true) {
                            start.await();
                            if (stopping) {
                                return null;
                            }
                            workload.run();
                            done.await();
                        }
                    } catch (Throwable t) {
                        // Wakes the other ranks and the caller instead of leaving them at a barrier.
                        start.reset();
                        done.reset();
                        throw t;
                    }
                });
            } catch (Throwable t) {
                failure = t;
                start.reset();
                done.reset();
            }
        });
    }

    @Override
    public void run() {
        await(start);
        await(done);
    }

    private void await(CyclicBarrier barrier) {
        try {
            barrier.await(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw rankFailure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the SPMD ranks", e);
        }
    }

    private IllegalStateException rankFailure(Exception barrierProblem) {
        stepFailed = true;
        try {
            runner.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Throwable cause = failure != null ? failure : barrierProblem;
        return new IllegalStateException(String.format(Locale.ROOT, "a step on %d SPMD ranks failed or took longer than %s", worldSize, STEP_TIMEOUT), cause);
    }

    @Override
    public void close() {
        stopping = true;
        try {
            // After a failure the ranks have stopped and the barriers were reset: nobody would meet this thread there.
            if (!stepFailed && failure == null) {
                start.await(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            runner.join(STEP_TIMEOUT);
        } catch (BrokenBarrierException | TimeoutException e) {
            // The ranks failed while stopping; run() reports failures of the steps themselves.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
