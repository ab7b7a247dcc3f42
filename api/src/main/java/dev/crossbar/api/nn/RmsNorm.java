package dev.crossbar.api.nn;

import dev.crossbar.api.DType;
import dev.crossbar.api.Functional;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;

/** Root-mean-square normalization over the last axis with a learned scale (ones). */
public final class RmsNorm extends Module {
    private final Parameter weight;
    private final double eps;

    /**
     * Creates the layer.
     *
     * @param scope where the parameter lives
     * @param dim the size of the last axis
     * @param eps added to the mean square, typically 1e-6
     */
    public RmsNorm(TensorScope scope, int dim, double eps) {
        this.weight = registerParameter("weight", scope.ones(DType.F32, dim));
        this.eps = eps;
    }

    @Override
    protected Tensor compute(Tensor input) {
        return Functional.rmsNorm(input, weight.value(), eps);
    }
}
