package dev.crossbar.spi.graph;

/**
 * What a graph {@link Node} computes: a primitive of {@link dev.crossbar.spi.OpSet#V1} ({@link dev.crossbar.spi.Op}) or
 * a collective of an SPMD program ({@link CollectiveOp}), which only graph backends record.
 */
public interface GraphOp {
    /**
     * Returns the op's name as the graph prints it.
     *
     * @return such as {@code "add"} or {@code "all_reduce"}
     */
    String opName();
}
