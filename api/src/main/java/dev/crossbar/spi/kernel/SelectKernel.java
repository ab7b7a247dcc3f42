package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/** Kernel for {@code select}. */
public interface SelectKernel extends OpKernel {
    /**
     * Computes {@code out = cond ? a : b}.
     *
     * @param out the output
     * @param cond BOOL condition, broadcast to the output's shape
     * @param a value where true, broadcast
     * @param b value where false, broadcast, same type as {@code a}
     */
    void select(TensorView out, TensorView cond, TensorView a, TensorView b);
}
