package dev.crossbar.api.optim;

import dev.crossbar.api.Grad;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.nn.Parameter;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Updates parameters from their gradients, in place. State tensors (moments) live in the scope of the parameter they
 * belong to, so they are sharded and freed with it.
 */
public abstract class Optimizer {
    private final List<Parameter> parameters;
    private final Map<Parameter, Tensor[]> state = new IdentityHashMap<>();
    private double learningRate;
    private long steps;

    /**
     * Creates the optimizer.
     *
     * @param parameters the parameters to update
     * @param learningRate the initial learning rate
     */
    protected Optimizer(List<Parameter> parameters, double learningRate) {
        this.parameters = List.copyOf(parameters);
        learningRate(learningRate);
    }

    /**
     * Sets the learning rate, for schedules.
     *
     * @param value a non-negative rate
     */
    public final void learningRate(double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "learning rate must be >= 0, got %s", value));
        }
        this.learningRate = value;
    }

    /**
     * Returns the learning rate.
     *
     * @return the current rate
     */
    public final double learningRate() {
        return learningRate;
    }

    /**
     * Returns the number of steps taken.
     *
     * @return the step count
     */
    public final long steps() {
        return steps;
    }

    /**
     * Returns the parameters this optimizer updates.
     *
     * @return the parameters
     */
    public final List<Parameter> parameters() {
        return parameters;
    }

    /** Updates every parameter that has a gradient; parameters without one are left alone. */
    public final void step() {
        steps++;
        try (Grad.Scope off = Grad.noGrad()) {
            for (Parameter p : parameters) {
                Tensor value = p.value();
                if (value.grad().isEmpty()) {
                    continue;
                }
                Tensor[] slots = state.computeIfAbsent(p, k -> newState(value));
                try (TensorScope local = TensorScope.localFor(value)) {
                    update(value, value.grad().get(), slots, steps);
                }
            }
        }
    }

    /** Frees every parameter's gradient. */
    public final void zeroGrad() {
        for (Parameter p : parameters) {
            p.value().zeroGrad();
        }
    }

    private Tensor[] newState(Tensor value) {
        Tensor[] slots = new Tensor[stateSlots()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = value.scope().adopt(value.zerosLike());
        }
        return slots;
    }

    /**
     * Returns the number of state tensors per parameter, each created as zeros shaped like the parameter.
     *
     * @return the slot count
     */
    protected abstract int stateSlots();

    /**
     * Updates one parameter in place; temporaries are freed after the call.
     *
     * @param value the parameter's tensor
     * @param grad its gradient
     * @param slots its state tensors, updated in place
     * @param step the 1-based step number
     */
    protected abstract void update(Tensor value, Tensor grad, Tensor[] slots, long step);
}
