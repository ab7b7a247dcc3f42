package dev.crossbar.api;

import java.util.Locale;

/** Thrown when the shapes given to an op do not fit together; the message names the op and both shapes. */
public class ShapeMismatchException extends CrossbarException {
    /**
     * Creates the error.
     *
     * @param op the op
     * @param first the first shape
     * @param second the second shape
     * @param detail which dimensions disagree and what is required
     */
    public ShapeMismatchException(String op, Shape first, Shape second, String detail) {
        super(String.format(Locale.ROOT, "%s: shapes %s and %s do not match: %s", op, first, second, detail));
    }

    /**
     * Creates the error for an op whose single input shape is invalid.
     *
     * @param op the op
     * @param shape the shape given
     * @param detail what is wrong and what is required
     */
    public ShapeMismatchException(String op, Shape shape, String detail) {
        super(String.format(Locale.ROOT, "%s: shape %s is invalid: %s", op, shape, detail));
    }
}
