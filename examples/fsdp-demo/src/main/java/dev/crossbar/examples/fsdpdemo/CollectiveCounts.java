package dev.crossbar.examples.fsdpdemo;

import dev.crossbar.api.Tensor;
import dev.crossbar.api.distributed.CollectiveObserver;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the collectives a rank starts, per operation, with the bytes it sends. FSDP takes its groups from the rank
 * context it is given, so handing it a context observed by this counter shows what it really does in a step. Confined
 * to its rank's thread, like the context it observes.
 */
final class CollectiveCounts implements CollectiveObserver {
    /** Calls and bytes sent by this rank for one kind of collective. */
    record Count(int calls, long bytes) {
        Count plus(long moreBytes) {
            return new Count(calls + 1, bytes + moreBytes);
        }
    }

    private Map<String, Count> counts = new TreeMap<>();

    /** Returns the counts since the last call and starts counting afresh. */
    Map<String, Count> takeCounts() {
        Map<String, Count> taken = counts;
        counts = new TreeMap<>();
        return taken;
    }

    @Override
    public void started(String op, Tensor input) {
        if (input != null) {
            counts.merge(op, new Count(1, input.size() * input.dtype().byteSize()), (a, b) -> a.plus(b.bytes()));
        }
    }
}
