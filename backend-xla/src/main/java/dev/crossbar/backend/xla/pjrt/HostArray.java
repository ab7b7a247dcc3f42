package dev.crossbar.backend.xla.pjrt;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * A dense row-major array in host memory, in the platform's byte order: what goes into a PJRT program and comes out.
 *
 * @param dtype the element type
 * @param shape the shape
 * @param data exactly {@code shape.size() * dtype.byteSize()} bytes
 */
public record HostArray(DType dtype, Shape shape, MemorySegment data) {

    /** Checks that the data holds exactly the elements of the shape. */
    public HostArray {
        long expected = shape.size() * dtype.byteSize();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "a %s array of shape %s holds %d bytes, not %d", dtype, shape, expected, data.byteSize()));
        }
    }

    /**
     * Wraps floats.
     *
     * @param shape the shape
     * @param values the elements in row-major order
     * @return an F32 array
     */
    public static HostArray ofFloats(Shape shape, float... values) {
        return new HostArray(DType.F32, shape, MemorySegment.ofArray(values));
    }

    /**
     * Wraps doubles.
     *
     * @param shape the shape
     * @param values the elements in row-major order
     * @return an F64 array
     */
    public static HostArray ofDoubles(Shape shape, double... values) {
        return new HostArray(DType.F64, shape, MemorySegment.ofArray(values));
    }

    /**
     * Wraps ints.
     *
     * @param shape the shape
     * @param values the elements in row-major order
     * @return an I32 array
     */
    public static HostArray ofInts(Shape shape, int... values) {
        return new HostArray(DType.I32, shape, MemorySegment.ofArray(values));
    }

    /**
     * Wraps longs.
     *
     * @param shape the shape
     * @param values the elements in row-major order
     * @return an I64 array
     */
    public static HostArray ofLongs(Shape shape, long... values) {
        return new HostArray(DType.I64, shape, MemorySegment.ofArray(values));
    }

    /**
     * Copies the elements of an F32 array.
     *
     * @return the elements in row-major order
     */
    public float[] toFloatArray() {
        requireType(DType.F32);
        return data.toArray(JAVA_FLOAT);
    }

    /**
     * Copies the elements of an F64 array.
     *
     * @return the elements in row-major order
     */
    public double[] toDoubleArray() {
        requireType(DType.F64);
        return data.toArray(JAVA_DOUBLE);
    }

    /**
     * Copies the elements of an I32 array.
     *
     * @return the elements in row-major order
     */
    public int[] toIntArray() {
        requireType(DType.I32);
        return data.toArray(JAVA_INT);
    }

    /**
     * Copies the elements of an I64 array.
     *
     * @return the elements in row-major order
     */
    public long[] toLongArray() {
        requireType(DType.I64);
        return data.toArray(JAVA_LONG);
    }

    private void requireType(DType wanted) {
        if (dtype != wanted) {
            throw new IllegalStateException(String.format(Locale.ROOT, "this array holds %s, not %s", dtype, wanted));
        }
    }
}
