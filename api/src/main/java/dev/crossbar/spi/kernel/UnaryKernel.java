package dev.crossbar.spi.kernel;

import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;

/** Kernel for the unary element-wise ops. */
public interface UnaryKernel extends OpKernel {
    /**
     * Computes {@code out = op(in)}.
     *
     * @param op the op
     * @param out the output, same shape and type as {@code in}
     * @param in the input, any strides
     */
    void apply(Op op, TensorView out, TensorView in);
}
