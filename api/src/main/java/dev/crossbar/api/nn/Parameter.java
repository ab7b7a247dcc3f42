package dev.crossbar.api.nn;

import dev.crossbar.api.Tensor;
import java.util.Objects;
import java.util.Optional;

/**
 * A trainable tensor of a {@link Module}. The holder lets the tensor be replaced (for example by its shard when a
 * module is sharded) while modules and optimizers keep referring to the same parameter.
 */
public final class Parameter {
    private Tensor value;

    /**
     * Wraps a tensor and marks it as requiring gradients.
     *
     * @param value a floating tensor
     */
    public Parameter(Tensor value) {
        this.value = Objects.requireNonNull(value, "value is null").requiresGrad(true);
    }

    /**
     * Returns the current tensor.
     *
     * @return the tensor
     */
    public Tensor value() {
        return value;
    }

    /**
     * Replaces the tensor; the caller closes the old one if it is no longer needed.
     *
     * @param replacement the new tensor, marked as requiring gradients
     */
    public void replace(Tensor replacement) {
        this.value = Objects.requireNonNull(replacement, "replacement is null").requiresGrad(true);
    }

    /**
     * Returns the gradient accumulated by the last backward passes.
     *
     * @return the gradient, if any
     */
    public Optional<Tensor> grad() {
        return value.grad();
    }

    @Override
    public String toString() {
        return "Parameter[" + value + "]";
    }
}
