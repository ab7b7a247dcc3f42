package dev.crossbar.api.nn;

import dev.crossbar.api.DType;
import dev.crossbar.api.Functional;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;

/** Layer normalization over the last axis with a learned scale (ones) and shift (zeros). */
public final class LayerNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final double eps;

    /**
     * Creates the layer.
     *
     * @param scope where the parameters live
     * @param dim the size of the last axis
     * @param eps added to the variance, typically 1e-5
     */
    public LayerNorm(TensorScope scope, int dim, double eps) {
        this.weight = registerParameter("weight", scope.ones(DType.F32, dim));
        this.bias = registerParameter("bias", scope.zeros(DType.F32, dim));
        this.eps = eps;
    }

    @Override
    protected Tensor compute(Tensor input) {
        return Functional.layerNorm(input, weight.value(), bias.value(), eps);
    }
}
