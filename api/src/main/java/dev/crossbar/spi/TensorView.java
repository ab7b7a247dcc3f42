package dev.crossbar.spi;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import java.util.Arrays;

/**
 * What a kernel sees of a tensor: a buffer, an element type, a shape, and strides and an offset in elements. Strides
 * may be zero (broadcast) and need not be row-major (permuted or sliced views). Outputs a kernel writes are always
 * row-major and start at offset 0 unless the kernel's contract says otherwise.
 *
 * @param buffer the memory
 * @param dtype the element type
 * @param shape the dimensions
 * @param strides per-dimension stride in elements
 * @param offset index of the first element in the buffer, in elements
 */
public record TensorView(DeviceBuffer buffer, DType dtype, Shape shape, long[] strides, long offset) {

    /**
     * Checks that strides and shape agree.
     *
     * @param buffer the memory
     * @param dtype the element type
     * @param shape the dimensions
     * @param strides per-dimension stride in elements
     * @param offset first element's index
     */
    public TensorView {
        if (strides.length != shape.rank()) {
            throw new IllegalArgumentException("strides " + Arrays.toString(strides) + " do not match shape " + shape);
        }
        strides = strides.clone();
    }

    /**
     * Creates a row-major view of a whole buffer.
     *
     * @param buffer the memory
     * @param dtype the element type
     * @param shape the dimensions
     * @return the view
     */
    public static TensorView contiguous(DeviceBuffer buffer, DType dtype, Shape shape) {
        return new TensorView(buffer, dtype, shape, shape.contiguousStrides(), 0);
    }

    /**
     * Returns the strides.
     *
     * @return a copy of the strides, in elements
     */
    @Override
    public long[] strides() {
        return strides.clone();
    }

    /**
     * Returns one stride without copying the array.
     *
     * @param axis the axis
     * @return the stride of that axis, in elements
     */
    public long stride(int axis) {
        return strides[axis];
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
     * Tells whether the elements are laid out row-major without gaps (dimensions of size 1 may have any stride).
     *
     * @return true when the view is contiguous
     */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            int d = shape.dim(i);
            if (d != 1 && strides[i] != expected) {
                return false;
            }
            expected *= d;
        }
        return true;
    }

    /**
     * Returns this view repeated along size-1 and new leading axes to {@code target}, with numpy's rules; repeated
     * axes get stride 0.
     *
     * @param target the shape to broadcast to
     * @return the broadcast view
     * @throws dev.crossbar.api.ShapeMismatchException if the shapes are not compatible
     */
    public TensorView broadcastTo(Shape target) {
        int r = target.rank();
        int lead = r - shape.rank();
        if (lead < 0) {
            throw new dev.crossbar.api.ShapeMismatchException("broadcast_to", shape, target, "the target has fewer dimensions than the source");
        }
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            if (i < lead) {
                out[i] = 0;
                continue;
            }
            int d = shape.dim(i - lead);
            if (d == target.dim(i)) {
                out[i] = strides[i - lead];
            } else if (d == 1) {
                out[i] = 0;
            } else {
                throw new dev.crossbar.api.ShapeMismatchException("broadcast_to", shape, target,
                        "dimension " + (i - lead) + " has size " + d + ", which is neither 1 nor the target's " + target.dim(i));
            }
        }
        return new TensorView(buffer, dtype, target, out, offset);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorView v && v.buffer == buffer && v.dtype == dtype && v.shape.equals(shape)
                && Arrays.equals(v.strides, strides) && v.offset == offset;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(System.identityHashCode(buffer), dtype, shape, Arrays.hashCode(strides), offset);
    }

    @Override
    public String toString() {
        return "TensorView[" + dtype + shape + " strides=" + Arrays.toString(strides) + " offset=" + offset + " on " + buffer.device() + "]";
    }
}
