package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/** Kernel for {@code argmax}. */
public interface ArgReduceKernel extends OpKernel {
    /**
     * Writes the index of the first maximum along {@code axis}; NaN counts as the maximum.
     *
     * @param out the I64 output, shaped as {@code in} with {@code axis} set to 1
     * @param in the input
     * @param axis the axis, in {@code [0, rank)}, of size at least 1
     */
    void argmax(TensorView out, TensorView in, int axis);
}
