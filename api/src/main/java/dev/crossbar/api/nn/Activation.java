package dev.crossbar.api.nn;

import dev.crossbar.api.Functional;
import dev.crossbar.api.Tensor;
import java.util.function.UnaryOperator;

/** An element-wise nonlinearity as a module, for {@link Sequential}. */
public final class Activation extends Module {
    private final UnaryOperator<Tensor> function;

    private Activation(UnaryOperator<Tensor> function) {
        this.function = function;
    }

    /**
     * Rectified linear unit, {@code max(x, 0)}.
     *
     * @return the module
     */
    public static Activation relu() {
        return new Activation(x -> x.maximum(0.0));
    }

    /**
     * GELU in its tanh form.
     *
     * @return the module
     */
    public static Activation gelu() {
        return new Activation(x -> Functional.gelu(x, Functional.GeluApproximation.TANH));
    }

    /**
     * Hyperbolic tangent.
     *
     * @return the module
     */
    public static Activation tanh() {
        return new Activation(Tensor::tanh);
    }

    /**
     * Sigmoid linear unit.
     *
     * @return the module
     */
    public static Activation silu() {
        return new Activation(Functional::silu);
    }

    @Override
    protected Tensor compute(Tensor input) {
        return function.apply(input);
    }
}
