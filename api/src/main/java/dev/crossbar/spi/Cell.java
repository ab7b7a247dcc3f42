package dev.crossbar.spi;

import dev.crossbar.api.DType;
import java.util.Objects;

/**
 * One cell of the compatibility matrix: an op and an element type.
 *
 * @param op the op
 * @param dtype the element type
 */
public record Cell(Op op, DType dtype) implements Comparable<Cell> {
    /**
     * Checks the parts.
     *
     * @param op the op
     * @param dtype the element type
     */
    public Cell {
        Objects.requireNonNull(op, "op is null");
        Objects.requireNonNull(dtype, "dtype is null");
    }

    @Override
    public int compareTo(Cell o) {
        int c = op.compareTo(o.op);
        return c != 0 ? c : dtype.compareTo(o.dtype);
    }

    @Override
    public String toString() {
        return op.opName() + "/" + dtype.shortName();
    }
}
