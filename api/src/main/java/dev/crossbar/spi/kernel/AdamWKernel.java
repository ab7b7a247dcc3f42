package dev.crossbar.spi.kernel;

import dev.crossbar.spi.TensorView;

/**
 * The AdamW update of one parameter in one pass over parameter, gradient and both moments, as
 * {@code dev.crossbar.api.Functional#adamWStep} composes it from primitives.
 */
public interface AdamWKernel extends FusedKernel {
    /**
     * Tells whether the kernel serves these tensors; the API composes the update from primitives otherwise.
     *
     * @param param the parameter
     * @param grad its gradient
     * @param m the first moment
     * @param v the second moment
     * @return true when {@link #update} accepts them
     */
    boolean serves(TensorView param, TensorView grad, TensorView m, TensorView v);

    /**
     * Updates in place, element-wise: {@code m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
     * p = p (1 - lr wd) - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)}.
     *
     * @param param the parameter, updated
     * @param grad its gradient, same shape
     * @param m the first moment, updated
     * @param v the second moment, updated
     * @param hyper the step's hyper-parameters
     */
    void update(TensorView param, TensorView grad, TensorView m, TensorView v, AdamWStep hyper);

    /**
     * The hyper-parameters of one AdamW step.
     *
     * @param learningRate the learning rate
     * @param beta1 the first-moment decay
     * @param beta2 the second-moment decay
     * @param eps added to the denominator
     * @param weightDecay the decoupled decay
     * @param step the 1-based step number, for bias correction
     */
    record AdamWStep(double learningRate, double beta1, double beta2, double eps, double weightDecay, long step) {
    }
}
