package dev.crossbar.api.sharding;

/**
 * How a {@link DTensor} is laid out along one axis of its device mesh, as PyTorch's DTensor placements: split along a
 * tensor dimension ({@link Shard}), copied on every rank ({@link Replicate}), or a pending reduction whose ranks each
 * hold one term ({@link Partial}).
 */
public sealed interface Placement permits Shard, Replicate, Partial {
    /**
     * Returns the placement that splits dimension {@code dim} into equal padded chunks.
     *
     * @param dim the tensor dimension, at least 0
     * @return the placement
     */
    static Placement shard(int dim) {
        return new Shard(dim);
    }

    /**
     * Returns the placement that copies the tensor on every rank of the axis.
     *
     * @return the placement
     */
    static Placement replicate() {
        return Replicate.INSTANCE;
    }

    /**
     * Returns the placement whose ranks each hold one term of a reduction.
     *
     * @param op the reduction that gives the tensor's value
     * @return the placement
     */
    static Placement partial(dev.crossbar.api.distributed.ReduceOp op) {
        return new Partial(op);
    }
}
