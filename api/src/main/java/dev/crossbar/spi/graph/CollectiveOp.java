package dev.crossbar.spi.graph;

/**
 * The collectives of an SPMD program, as StableHLO defines them (its specification's "Collective ops"): every process
 * of the program runs the same node, and the node's attributes say which processes exchange values. Data moves along
 * dim 0, as {@link dev.crossbar.api.distributed.ProcessGroup} moves it: {@code all_gather} concatenates along dim 0 in
 * group order, {@code reduce_scatter} gives the group's {@code i}-th process the {@code i}-th of equal dim-0 chunks,
 * {@code all_to_all} splits and concatenates dim 0.
 */
public enum CollectiveOp implements GraphOp {
    /** Combines the operands of the group element-wise; {@link Attributes.Collective#reduction()} says how. */
    ALL_REDUCE("all_reduce"),
    /** Concatenates the operands of the group along dim 0, in group order. */
    ALL_GATHER("all_gather"),
    /** Combines the operands of the group and keeps this process's dim-0 chunk. */
    REDUCE_SCATTER("reduce_scatter"),
    /** Sends dim-0 chunk {@code j} to the group's process {@code j}; receives one chunk from each, in group order. */
    ALL_TO_ALL("all_to_all"),
    /** Sends the operand along source-target pairs; a process that is no target receives zeros. */
    COLLECTIVE_PERMUTE("collective_permute");

    private final String opName;

    CollectiveOp(String opName) {
        this.opName = opName;
    }

    @Override
    public String opName() {
        return opName;
    }
}
