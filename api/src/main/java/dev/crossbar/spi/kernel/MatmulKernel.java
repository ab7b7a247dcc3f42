package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/**
 * Kernel for {@code dot_general} in its batched-matmul form. Floating types accumulate in at least F32; integers in their own
 * type with wrap-around.
 */
public interface MatmulKernel extends OpKernel {
    /**
     * Computes {@code out[..., i, j] = sum_k a[..., i, k] * b[..., k, j]}.
     *
     * @param out the output {@code [batch..., m, n]}
     * @param a the left input {@code [batch..., m, k]}, batch dims broadcast to the output's (strides may be 0)
     * @param b the right input {@code [batch..., k, n]}, likewise
     */
    void matmul(TensorView out, TensorView a, TensorView b);
}
