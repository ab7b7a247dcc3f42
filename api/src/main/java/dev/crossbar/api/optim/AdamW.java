package dev.crossbar.api.optim;

import dev.crossbar.api.Functional;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.nn.Parameter;
import dev.crossbar.spi.kernel.AdamWKernel;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), with bias correction, as PyTorch's {@code AdamW}:
 * {@code p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)}.
 */
public final class AdamW extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;

    /**
     * Creates the optimizer.
     *
     * @param parameters the parameters
     * @param learningRate the learning rate
     * @param beta1 the first-moment decay, typically 0.9
     * @param beta2 the second-moment decay, typically 0.999
     * @param eps added to the denominator, typically 1e-8
     * @param weightDecay the decoupled decay, typically 0.01
     */
    public AdamW(List<Parameter> parameters, double learningRate, double beta1, double beta2, double eps, double weightDecay) {
        super(parameters, learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    protected int stateSlots() {
        return 2;
    }

    @Override
    protected String stateName(int slot) {
        return slot == 0 ? "exp_avg" : "exp_avg_sq";
    }

    @Override
    protected void update(Tensor value, Tensor grad, Tensor[] slots, long step) {
        Functional.adamWStep(value, grad, slots[0], slots[1], new AdamWKernel.AdamWStep(learningRate(), beta1, beta2, eps, weightDecay, step));
    }
}
