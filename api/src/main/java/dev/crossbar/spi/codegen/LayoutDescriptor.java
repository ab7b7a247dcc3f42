package dev.crossbar.spi.codegen;

import dev.crossbar.api.Shape;
import dev.crossbar.spi.TensorView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The generated {@code cb_layout} struct: where an operand's elements are, as an offset and per-axis strides in
 * elements over the shape a kernel iterates. Broadcast axes have stride 0. Its bytes are {@code offset} then
 * {@link ShapeDescriptor#MAX_RANK} strides, each a little-endian 64-bit integer; unused strides are 0.
 *
 * @param offset the index of the first element, in elements
 * @param strides the stride of each axis, in elements
 */
public record LayoutDescriptor(long offset, long[] strides) {
    /** The size of the struct in bytes. */
    public static final int BYTES = 8 * (1 + ShapeDescriptor.MAX_RANK);

    /**
     * Checks the rank and copies the strides.
     *
     * @param offset the first element's index
     * @param strides the strides
     */
    public LayoutDescriptor {
        strides = ShapeDescriptor.checkRank(strides.clone(), "strides");
    }

    /**
     * Describes a view over its own shape.
     *
     * @param view the view
     * @return its offset and strides
     */
    public static LayoutDescriptor of(TensorView view) {
        return new LayoutDescriptor(view.offset(), view.strides());
    }

    /**
     * Describes a view broadcast to the shape a kernel iterates, with numpy's rules (new leading axes and size-1 axes
     * get stride 0).
     *
     * @param view the view
     * @param iterated the kernel's shape
     * @return the broadcast layout
     */
    public static LayoutDescriptor broadcast(TensorView view, Shape iterated) {
        return of(view.broadcastTo(iterated));
    }

    /**
     * Returns this layout with one axis's stride set to 0, as gather, scatter_add and argmax pass the operand they
     * index along that axis (the kernel adds {@code index * axisStride} itself).
     *
     * @param axis the axis
     * @return the layout without that axis
     */
    public LayoutDescriptor withoutAxis(int axis) {
        long[] copy = strides.clone();
        copy[axis] = 0;
        return new LayoutDescriptor(offset, copy);
    }

    /**
     * Returns the strides.
     *
     * @return a copy of the strides
     */
    @Override
    public long[] strides() {
        return strides.clone();
    }

    /**
     * Writes the struct's bytes.
     *
     * @param target receives {@link #BYTES} bytes at its position, which advances
     */
    public void writeTo(ByteBuffer target) {
        ByteBuffer little = target.slice().order(ByteOrder.LITTLE_ENDIAN);
        little.putLong(offset);
        for (int i = 0; i < ShapeDescriptor.MAX_RANK; i++) {
            little.putLong(i < strides.length ? strides[i] : 0);
        }
        target.position(target.position() + BYTES);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayoutDescriptor d && d.offset == offset && Arrays.equals(d.strides, strides);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(offset) + Arrays.hashCode(strides);
    }

    @Override
    public String toString() {
        return "LayoutDescriptor[offset=" + offset + " strides=" + Arrays.toString(strides) + "]";
    }
}
