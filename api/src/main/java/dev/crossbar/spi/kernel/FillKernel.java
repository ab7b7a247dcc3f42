package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/** Kernel for {@code full}. */
public interface FillKernel extends OpKernel {
    /**
     * Writes one value into every element; integer outputs get the value truncated toward zero and saturated to the
     * type's range, as a cast from F64 would; BOOL gets {@code value != 0}.
     *
     * @param out the output
     * @param value the value
     */
    void fill(TensorView out, double value);
}
