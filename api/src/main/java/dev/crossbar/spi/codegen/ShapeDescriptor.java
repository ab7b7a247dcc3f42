package dev.crossbar.spi.codegen;

import dev.crossbar.api.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;

/**
 * The generated {@code cb_dims} struct: a rank and up to {@link #MAX_RANK} sizes, passed to kernels by value. Its
 * bytes are {@code rank} then {@code MAX_RANK} sizes, each a little-endian 64-bit integer; unused sizes are 1.
 *
 * @param sizes the sizes, one per axis
 */
public record ShapeDescriptor(long[] sizes) {
    /** The highest rank generated kernels accept. */
    public static final int MAX_RANK = 8;
    /** The size of the struct in bytes. */
    public static final int BYTES = 8 * (1 + MAX_RANK);

    /**
     * Checks the rank and copies the sizes.
     *
     * @param sizes the sizes
     * @throws IllegalArgumentException if there are more than {@link #MAX_RANK} or a size is negative
     */
    public ShapeDescriptor {
        sizes = checkRank(sizes.clone(), "shape");
        if (Arrays.stream(sizes).anyMatch(s -> s < 0)) {
            throw new IllegalArgumentException("negative size in " + Arrays.toString(sizes));
        }
    }

    /**
     * Describes a tensor shape.
     *
     * @param shape the shape
     * @return the descriptor
     */
    public static ShapeDescriptor of(Shape shape) {
        long[] sizes = new long[shape.rank()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = shape.dim(i);
        }
        return new ShapeDescriptor(sizes);
    }

    /**
     * Returns the sizes.
     *
     * @return a copy of the sizes
     */
    @Override
    public long[] sizes() {
        return sizes.clone();
    }

    /**
     * Returns the number of elements, the {@code n} argument of kernels that iterate over this shape.
     *
     * @return the product of the sizes
     */
    public long elementCount() {
        long count = 1;
        for (long s : sizes) {
            count = Math.multiplyExact(count, s);
        }
        return count;
    }

    /**
     * Writes the struct's bytes.
     *
     * @param target receives {@link #BYTES} bytes at its position, which advances
     */
    public void writeTo(ByteBuffer target) {
        ByteBuffer little = target.slice().order(ByteOrder.LITTLE_ENDIAN);
        little.putLong(sizes.length);
        for (int i = 0; i < MAX_RANK; i++) {
            little.putLong(i < sizes.length ? sizes[i] : 1);
        }
        target.position(target.position() + BYTES);
    }

    static long[] checkRank(long[] values, String what) {
        if (values.length > MAX_RANK) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "generated kernels take at most %d axes, but the %s %s has %d; reshape the tensor to merge axes",
                    MAX_RANK, what, Arrays.toString(values), values.length));
        }
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShapeDescriptor d && Arrays.equals(d.sizes, sizes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sizes);
    }

    @Override
    public String toString() {
        return "ShapeDescriptor" + Arrays.toString(sizes);
    }
}
