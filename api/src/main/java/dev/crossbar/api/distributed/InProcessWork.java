package dev.crossbar.api.distributed;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The {@link Work} of one rank in a {@link Rendezvous}; completed by the rank that arrives last. */
final class InProcessWork<T> implements Work<T> {
    private final CompletableFuture<Object> result = new CompletableFuture<>();
    private final Rendezvous rendezvous;
    private final long startNanos;
    private final Duration groupTimeout;

    InProcessWork(Rendezvous rendezvous, Duration groupTimeout) {
        this.rendezvous = rendezvous;
        this.groupTimeout = groupTimeout;
        this.startNanos = System.nanoTime();
    }

    void complete(Object value) {
        result.complete(value);
    }

    void fail(Throwable failure) {
        result.completeExceptionally(failure);
    }

    @Override
    public T await() {
        return awaitFor(groupTimeout);
    }

    @Override
    public T await(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("await: the timeout must be >= 0, got " + timeout);
        }
        long sinceStart = System.nanoTime() - startNanos;
        Duration untilGroupTimeout = groupTimeout.minusNanos(sinceStart);
        // Measure both from the call so a shorter caller timeout is reported as what expired.
        return timeout.compareTo(untilGroupTimeout) < 0 ? awaitFor(timeout.plusNanos(sinceStart)) : awaitFor(groupTimeout);
    }

    /** Waits until {@code limit} after the call; then fails the collective everywhere unless every rank arrived. */
    private T awaitFor(Duration limit) {
        long deadline = startNanos + limit.toNanos();
        try {
            while (true) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    // Fails the collective on every rank unless all arrived; then the last one is computing.
                    rendezvous.expire(limit);
                    return value(result.get());
                }
                try {
                    return value(result.get(remaining, TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    // Checked again at the top of the loop.
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw rendezvous.interrupted(e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    @Override
    public boolean isDone() {
        if (!result.isDone() && System.nanoTime() - startNanos >= groupTimeout.toNanos()) {
            rendezvous.expire(groupTimeout);
        }
        return result.isDone();
    }

    @SuppressWarnings("unchecked")
    private T value(Object value) {
        return (T) value;
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(String.format(Locale.ROOT, "Collective failed: %s", cause), cause);
    }

    @Override
    public String toString() {
        return "Work[" + rendezvous + (result.isDone() ? ", done" : "") + "]";
    }
}
