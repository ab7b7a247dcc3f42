package dev.crossbar.conformance;

import dev.crossbar.api.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * A row-major array of doubles with a shape: the form in which the suite builds inputs and computes references.
 *
 * @param shape the dimensions
 * @param values the elements, row-major; the record does not copy them
 */
public record HostArray(Shape shape, double[] values) {
    /**
     * Checks that the element count matches the shape.
     *
     * @param shape the dimensions
     * @param values the elements
     */
    public HostArray {
        if (shape.size() != values.length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "shape %s holds %d elements, got %d", shape, shape.size(), values.length));
        }
    }

    /**
     * Creates an array.
     *
     * @param values the elements, row-major
     * @param dims the shape
     * @return the array
     */
    public static HostArray of(double[] values, int... dims) {
        return new HostArray(Shape.of(dims), values);
    }

    /**
     * Returns the number of elements.
     *
     * @return the element count
     */
    public int size() {
        return values.length;
    }

    /**
     * Returns the element at a multi-index.
     *
     * @param index one coordinate per dimension
     * @return the element
     */
    public double get(int... index) {
        return values[offsetOf(index)];
    }

    /**
     * Returns the row-major position of a multi-index.
     *
     * @param index one coordinate per dimension
     * @return the position in {@link #values()}
     */
    public int offsetOf(int... index) {
        int offset = 0;
        for (int axis = 0; axis < index.length; axis++) {
            offset = offset * shape.dim(axis) + index[axis];
        }
        return offset;
    }

    /**
     * Returns the multi-index of a row-major position.
     *
     * @param position the position in {@link #values()}
     * @return one coordinate per dimension
     */
    public int[] indexOf(int position) {
        int[] index = new int[shape.rank()];
        for (int axis = shape.rank() - 1; axis >= 0; axis--) {
            int d = shape.dim(axis);
            index[axis] = position % d;
            position /= d;
        }
        return index;
    }

    /**
     * Applies a function to every element.
     *
     * @param f the function
     * @return a new array of the same shape
     */
    public HostArray map(DoubleUnaryOperator f) {
        return new HostArray(shape, Arrays.stream(values).map(f).toArray());
    }

    /**
     * Returns the same elements with another shape of the same size.
     *
     * @param dims the new shape
     * @return the reshaped array, sharing the elements
     */
    public HostArray reshape(int... dims) {
        return new HostArray(Shape.of(dims), values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostArray h && h.shape.equals(shape) && Arrays.equals(h.values, values);
    }

    @Override
    public int hashCode() {
        return shape.hashCode() * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return shape + (values.length <= 16 ? Arrays.toString(values) : "(" + values.length + " elements)");
    }
}
