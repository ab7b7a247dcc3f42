package dev.crossbar.spi.kernel;

import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;

/** Kernel for the binary element-wise ops. */
public interface BinaryKernel extends OpKernel {
    /**
     * Computes {@code out = op(a, b)}.
     *
     * @param op the op
     * @param out the output
     * @param a first input, broadcast to the output's shape (strides may be 0), same type
     * @param b second input, likewise
     */
    void apply(Op op, TensorView out, TensorView a, TensorView b);
}
