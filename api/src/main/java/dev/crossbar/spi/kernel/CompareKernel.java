package dev.crossbar.spi.kernel;

import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;

/** Kernel for the comparisons; any comparison with NaN is false except {@code ne}. */
public interface CompareKernel extends OpKernel {
    /**
     * Computes {@code out = op(a, b)} into a BOOL output.
     *
     * @param op the comparison
     * @param out the BOOL output
     * @param a first input, broadcast to the output's shape
     * @param b second input, broadcast, same type as {@code a}
     */
    void compare(Op op, TensorView out, TensorView a, TensorView b);
}
