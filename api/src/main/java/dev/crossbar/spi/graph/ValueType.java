package dev.crossbar.spi.graph;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import java.util.Objects;

/**
 * The static type of a graph value: an element type and a shape, both known when the graph is built.
 *
 * @param dtype the element type
 * @param shape the dimensions
 */
public record ValueType(DType dtype, Shape shape) {
    /**
     * Checks the parts.
     *
     * @param dtype the element type
     * @param shape the dimensions
     */
    public ValueType {
        Objects.requireNonNull(dtype, "dtype is null");
        Objects.requireNonNull(shape, "shape is null");
    }

    /**
     * Returns the type of a rank-0 value.
     *
     * @param dtype the element type
     * @return the scalar type
     */
    public static ValueType scalar(DType dtype) {
        return new ValueType(dtype, Shape.scalar());
    }

    /**
     * Returns the number of elements.
     *
     * @return the element count
     */
    public long size() {
        return shape.size();
    }

    /**
     * Returns the number of bytes of a row-major value of this type.
     *
     * @return bytes
     */
    public long byteSize() {
        return shape.size() * dtype.byteSize();
    }

    @Override
    public String toString() {
        return dtype.shortName() + shape;
    }
}
