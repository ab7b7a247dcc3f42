package dev.crossbar.api.nn;

import dev.crossbar.api.DType;
import dev.crossbar.api.Generator;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;

/**
 * An affine map {@code y = x W^T + b} over the last axis, with PyTorch's layout ({@code W} is {@code [out, in]}) and
 * initialization (uniform in {@code +-1/sqrt(in)}).
 */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the layer.
     *
     * @param scope where the parameters live
     * @param generator the random source for initialization
     * @param in input features
     * @param out output features
     * @param withBias whether to add a bias
     */
    public Linear(TensorScope scope, Generator generator, int in, int out, boolean withBias) {
        double bound = 1.0 / Math.sqrt(in);
        this.weight = registerParameter("weight", generator.uniform(scope, Shape.of(out, in), DType.F32, -bound, bound));
        this.bias = withBias ? registerParameter("bias", generator.uniform(scope, Shape.of(out), DType.F32, -bound, bound)) : null;
    }

    /**
     * Returns the weight {@code [out, in]}.
     *
     * @return the weight
     */
    public Parameter weight() {
        return weight;
    }

    @Override
    protected Tensor compute(Tensor input) {
        try (Tensor transposed = weight.value().transpose(0, 1)) {
            if (bias == null) {
                return input.matmul(transposed);
            }
            try (Tensor product = input.matmul(transposed)) {
                return product.add(bias.value());
            }
        }
    }
}
