package dev.crossbar.api.sharding;

import dev.crossbar.api.distributed.ReduceOp;
import java.util.Objects;

/**
 * Each rank of the mesh axis holds one term; the tensor's value is their reduction (for example gradients before
 * they are summed). {@link DTensor#full()} and {@link DTensor#redistribute} carry the reduction out.
 *
 * @param op the reduction
 */
public record Partial(ReduceOp op) implements Placement {
    /**
     * Checks the reduction.
     *
     * @param op the reduction
     */
    public Partial {
        Objects.requireNonNull(op, "op is null");
    }
}
