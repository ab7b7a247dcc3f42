package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/** Fused GELU and its derivative, each in one pass over the elements. */
public interface GeluKernel extends FusedKernel {
    /**
     * Tells whether the kernel serves this tensor, as the input of {@link #gelu} or as either input of
     * {@link #geluBackward}; the API composes the op from primitives otherwise.
     *
     * @param tensor the input or the result's gradient
     * @return true when the kernel accepts it
     */
    boolean serves(TensorView tensor);

    /**
     * Computes {@code x * Phi(x)}: exactly, {@code x (1 + erf(x / sqrt 2)) / 2}, or in the tanh form
     * {@code x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) / 2}.
     *
     * @param out the output, row-major, same shape and type as {@code in}
     * @param in the input, one that {@link #serves} accepts
     * @param tanh whether to use the tanh form
     */
    void gelu(TensorView out, TensorView in, boolean tanh);

    /**
     * Computes the input's gradient {@code gradOut * d gelu(x) / dx} of the same form as {@link #gelu}.
     *
     * @param gradIn the output, row-major, same shape and type as {@code in}
     * @param gradOut the gradient of the result, same shape and type as {@code in}, one that {@link #serves} accepts
     * @param in the input the result was computed from, one that {@link #serves} accepts
     * @param tanh whether the result used the tanh form
     */
    void geluBackward(TensorView gradIn, TensorView gradOut, TensorView in, boolean tanh);
}
