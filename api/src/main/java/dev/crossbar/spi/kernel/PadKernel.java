package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/** Kernel for {@code pad}. */
public interface PadKernel extends OpKernel {
    /**
     * Pads each axis {@code i} with {@code low[i]} elements before and {@code high[i]} after, all equal to {@code value}.
     *
     * @param out the output, {@code in}'s shape grown by {@code low + high}
     * @param in the input
     * @param low padding before, per axis, non-negative
     * @param high padding after, per axis, non-negative
     * @param value the padding value, converted as by {@link FillKernel}
     */
    void pad(TensorView out, TensorView in, int[] low, int[] high, double value);
}
