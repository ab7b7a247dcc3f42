package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/** Fused softmax and log-softmax over the last axis, in one pass per row. */
public interface SoftmaxKernel extends FusedKernel {
    /**
     * Tells whether the kernel serves this input; the API composes the op from primitives otherwise.
     *
     * @param in the input
     * @return true when {@link #softmax} accepts it
     */
    boolean serves(TensorView in);

    /**
     * Computes {@code exp(x - max) / sum(exp(x - max))} along the last axis, or its logarithm
     * {@code x - max - log(sum(exp(x - max)))}.
     *
     * @param out the output, row-major, same shape and type as {@code in}
     * @param in the input, one that {@link #serves} accepts
     * @param log whether to compute the log-softmax
     */
    void softmax(TensorView out, TensorView in, boolean log);
}
