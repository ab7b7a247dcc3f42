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
     * Replaces the tensor; the caller closes the old one if it is no longer needed. Sharding uses this to swap a
     * parameter's shard for the gathered full tensor around a forward pass, and back.
     *
     * @param replacement the new tensor; a leaf is marked as requiring gradients, a computed tensor keeps its graph
     */
    public void replace(Tensor replacement) {
        Objects.requireNonNull(replacement, "replacement is null");
        this.value = replacement.requiresGrad() ? replacement : replacement.requiresGrad(true);
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
