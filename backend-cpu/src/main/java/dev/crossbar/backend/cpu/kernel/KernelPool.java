package dev.crossbar.backend.cpu.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one kernel thread pool of the process, sized to the machine's cores and shared by every cpu device and backend
 * instance, so that N ranks on fewer cores never oversubscribe them.
 */
final class KernelPool {
    /** Work (roughly, element operations) below which a kernel runs on the calling thread. */
    static final long PARALLEL_THRESHOLD = 1 << 17;
    private static final long WORK_PER_CHUNK = 1 << 15;
    private static final int PARALLELISM = Runtime.getRuntime().availableProcessors();
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
    private static final ForkJoinPool POOL = new ForkJoinPool(PARALLELISM, pool -> {
        ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        thread.setName("crossbar-cpu-kernel-" + THREAD_NUMBER.getAndIncrement());
        return thread;
    }, null, false);

    /** Work on the items {@code [start, end)} of a range. */
    interface RangeTask {
        void run(long start, long end);
    }

    private KernelPool() {
    }

    /** Returns the number of threads kernels run on. */
    static int parallelism() {
        return PARALLELISM;
    }

    /**
     * Runs a task over {@code [0, count)}: on the calling thread when the work is small, else split into contiguous
     * chunks run on the pool. The task must write disjoint outputs per item so the result does not depend on the
     * split. When chunks fail, the failure of the lowest chunk is thrown, after every chunk has finished.
     */
    static void forEachRange(long count, long workPerItem, RangeTask task) {
        if (count == 0) {
            return;
        }
        long work = count * Math.max(1, workPerItem);
        long chunks = Math.min(Math.min(PARALLELISM * 4L, count), work / WORK_PER_CHUNK);
        if (PARALLELISM == 1 || work < PARALLEL_THRESHOLD || chunks < 2 || Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == POOL) {
            task.run(0, count);
            return;
        }
        // Chunks record their own failure, so the caller gets the original exception, not ForkJoinTask's copy of it.
        Throwable[] failures = new Throwable[(int) chunks];
        List<Future<?>> parts = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            int chunk = c;
            long start = count * c / chunks;
            long end = count * (c + 1) / chunks;
            parts.add(POOL.submit(() -> {
                try {
                    task.run(start, end);
                } catch (Throwable t) {
                    failures[chunk] = t;
                }
            }));
        }
        for (Future<?> part : parts) {
            try {
                part.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("A cpu kernel chunk failed outside its task", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                CancellationException cancelled = new CancellationException("Interrupted while waiting for a cpu kernel");
                cancelled.initCause(e);
                throw cancelled;
            }
        }
        Throwable failure = Arrays.stream(failures).filter(Objects::nonNull).findFirst().orElse(null);
        switch (failure) {
            case null -> { }
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException("A cpu kernel chunk failed", failure);
        }
    }
}
