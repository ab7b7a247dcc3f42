package dev.crossbar.api.optim;

import dev.crossbar.api.Tensor;
import dev.crossbar.api.nn.Parameter;
import java.util.List;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, with PyTorch's update
 * rule (no dampening): {@code g += wd p; b = mu b + g; p -= lr (nesterov ? g + mu b : b)}.
 */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;

    /**
     * Creates the optimizer.
     *
     * @param parameters the parameters
     * @param learningRate the learning rate
     * @param momentum the momentum factor, 0 for none
     * @param nesterov whether to use Nesterov momentum
     * @param weightDecay the L2 penalty added to the gradient
     */
    public Sgd(List<Parameter> parameters, double learningRate, double momentum, boolean nesterov, double weightDecay) {
        super(parameters, learningRate);
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    @Override
    protected int stateSlots() {
        return momentum == 0 ? 0 : 1;
    }

    @Override
    protected String stateName(int slot) {
        return "momentum_buffer";
    }

    @Override
    protected void update(Tensor value, Tensor grad, Tensor[] slots, long step) {
        Tensor g = weightDecay == 0 ? grad : grad.add(value.mul(weightDecay));
        Tensor direction = g;
        if (momentum != 0) {
            Tensor buffer = slots[0];
            buffer.assign(step == 1 ? g : buffer.mul(momentum).add(g));
            direction = nesterov ? g.add(buffer.mul(momentum)) : buffer;
        }
        value.assign(value.sub(direction.mul(learningRate())));
    }
}
