package dev.crossbar.spi.kernel;

import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;

/**
 * Kernel for {@code reduce_sum}, {@code reduce_max} and {@code reduce_min}. Reducing an empty axis gives 0 for sum,
 * and is rejected by the API for max and min.
 */
public interface ReduceKernel extends OpKernel {
    /**
     * Reduces {@code in} over {@code axes}.
     *
     * @param op the reduction
     * @param out the output, shaped as {@code in} with the reduced axes set to 1
     * @param in the input
     * @param axes the reduced axes, sorted, distinct, in {@code [0, rank)}
     */
    void reduce(Op op, TensorView out, TensorView in, int[] axes);
}
