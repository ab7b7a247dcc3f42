package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/**
 * Fused layer normalization over the last axis and its gradients, one pass per row each: the composite takes eight
 * primitives forward and about twenty backward. The backward pass recomputes each row's mean and variance from the
 * input, so no statistics outlive the forward call.
 */
public interface LayerNormKernel extends FusedKernel {
    /**
     * Tells whether the kernel serves these operands; the API composes the op from primitives otherwise.
     *
     * @param in the input {@code [..., d]}
     * @param weight the scale {@code [d]}
     * @param bias the shift {@code [d]}
     * @return true when {@link #forward} and {@link #backward} accept them, with gradients of {@code in}'s type
     */
    boolean serves(TensorView in, TensorView weight, TensorView bias);

    /**
     * Computes {@code (x - mean) / sqrt(var + eps) * weight + bias} per row of the last axis, with the biased variance.
     *
     * @param out the output, row-major, same shape and type as {@code in}
     * @param in the input, one that {@link #serves} accepts with {@code weight} and {@code bias}
     * @param weight the scale
     * @param bias the shift
     * @param eps added to the variance
     */
    void forward(TensorView out, TensorView in, TensorView weight, TensorView bias, double eps);

    /**
     * Computes the gradients of the input, the weight and the bias from the gradient of the result.
     *
     * @param gradIn the input's gradient, row-major, same shape and type as {@code in}
     * @param gradWeight the weight's gradient, row-major, same shape and type as {@code weight}
     * @param gradBias the bias's gradient, row-major, same shape and type as {@code weight}
     * @param gradOut the gradient of the result, row-major, same shape and type as {@code in}
     * @param in the input of the forward call
     * @param weight the scale of the forward call
     * @param eps the forward call's eps
     */
    void backward(TensorView gradIn, TensorView gradWeight, TensorView gradBias, TensorView gradOut, TensorView in, TensorView weight, double eps);
}
