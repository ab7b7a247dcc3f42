package dev.crossbar.api;

import java.util.Locale;

/** Thrown when an axis is outside {@code [-rank, rank)} of the tensor it applies to, or repeated. */
public class InvalidAxisException extends CrossbarException {
    /**
     * Creates the error for an axis out of range.
     *
     * @param op the op
     * @param axis the axis given
     * @param shape the shape of the tensor
     */
    public InvalidAxisException(String op, int axis, Shape shape) {
        super(String.format(Locale.ROOT, "%s: axis %d is out of range for shape %s (rank %d); use an axis in [%d, %d)",
                op, axis, shape, shape.rank(), -shape.rank(), shape.rank()));
    }

    /**
     * Creates the error for an axis list that is not a valid set or permutation.
     *
     * @param op the op
     * @param detail what is wrong with the list
     */
    public InvalidAxisException(String op, String detail) {
        super(op + ": " + detail);
    }
}
