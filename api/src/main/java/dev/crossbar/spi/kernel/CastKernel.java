package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/**
 * Kernel for {@code cast}, registered under the source type and converting to every type. Floats to integers
 * truncate toward zero (NaN gives 0, out-of-range values saturate); to BOOL is {@code x != 0}; to F16/BF16 rounds to
 * nearest even.
 */
public interface CastKernel extends OpKernel {
    /**
     * Converts {@code in} into {@code out}'s type.
     *
     * @param out the output
     * @param in the input, any strides
     */
    void cast(TensorView out, TensorView in);
}
