package dev.crossbar.api;

import java.util.Arrays;
import java.util.Locale;

/**
 * The dimensions of a tensor, outermost first. A shape of rank 0 describes a scalar; a dimension of 0 describes an
 * empty tensor. Shapes are immutable.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;
    private final long size;

    private Shape(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        String.format(Locale.ROOT, "Negative dimension in shape %s; every dimension must be >= 0", Arrays.toString(dims)));
            }
            n = Math.multiplyExact(n, d);
        }
        this.dims = dims;
        this.size = n;
    }

    /**
     * Creates a shape.
     *
     * @param dims the dimensions, outermost first; none gives a scalar
     * @return the shape
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Shape of(int... dims) {
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    /**
     * Returns the shape of a scalar (rank 0, one element).
     *
     * @return the scalar shape
     */
    public static Shape scalar() {
        return SCALAR;
    }

    /**
     * Returns the number of dimensions.
     *
     * @return the rank
     */
    public int rank() {
        return dims.length;
    }

    /**
     * Returns one dimension; negative indices count from the end as in Python.
     *
     * @param axis the axis, in {@code [-rank, rank)}
     * @return the size of that dimension
     */
    public int dim(int axis) {
        return dims[normalizeAxis(axis, "dim")];
    }

    /**
     * Returns a copy of the dimensions.
     *
     * @return the dimensions, outermost first
     */
    public int[] dims() {
        return dims.clone();
    }

    /**
     * Returns the number of elements, the product of the dimensions.
     *
     * @return the element count
     */
    public long size() {
        return size;
    }

    /**
     * Converts a possibly negative axis into {@code [0, rank)}.
     *
     * @param axis the axis, negative counting from the end
     * @param op the op asking, named in the error
     * @return the axis in {@code [0, rank)}
     * @throws InvalidAxisException if the axis is outside {@code [-rank, rank)}
     */
    public int normalizeAxis(int axis, String op) {
        int r = dims.length;
        if (axis < -r || axis >= r) {
            throw new InvalidAxisException(op, axis, this);
        }
        return axis < 0 ? axis + r : axis;
    }

    /**
     * Returns the row-major (C order) strides of this shape, in elements.
     *
     * @return one stride per dimension
     */
    public long[] contiguousStrides() {
        long[] strides = new long[dims.length];
        long s = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(dims[i], 1);
        }
        return strides;
    }

    /**
     * Returns the shape two shapes broadcast to, with numpy's rules: align trailing dimensions; each pair must be
     * equal or contain a 1.
     *
     * @param op the op broadcasting, named in the error
     * @param a one shape
     * @param b another shape
     * @return the broadcast shape
     * @throws ShapeMismatchException if a pair of dimensions differs and neither is 1
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeMismatchException(op, a, b,
                        String.format(Locale.ROOT, "dimension %d is %d in one and %d in the other; each pair must be equal or 1", i, da, db));
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
