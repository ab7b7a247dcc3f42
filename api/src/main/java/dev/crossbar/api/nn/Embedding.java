package dev.crossbar.api.nn;

import dev.crossbar.api.DType;
import dev.crossbar.api.Generator;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import java.util.Arrays;

/** A lookup table from integer ids to vectors, initialized from N(0, 1) as PyTorch's {@code nn.Embedding}. */
public final class Embedding extends Module {
    private final Parameter weight;
    private final int dim;

    /**
     * Creates the table.
     *
     * @param scope where the table lives
     * @param generator the random source for initialization
     * @param count number of ids
     * @param dim vector size
     */
    public Embedding(TensorScope scope, Generator generator, int count, int dim) {
        this.dim = dim;
        this.weight = registerParameter("weight", generator.normal(scope, Shape.of(count, dim), DType.F32, 0, 1));
    }

    /**
     * Looks up ids.
     *
     * @param ids I32 or I64 ids of any shape
     * @return vectors shaped {@code ids.shape + [dim]}
     */
    @Override
    protected Tensor compute(Tensor ids) {
        int n = (int) ids.size();
        int[] outDims = Arrays.copyOf(ids.shape().dims(), ids.rank() + 1);
        outDims[ids.rank()] = dim;
        try (Tensor column = ids.reshape(n, 1); Tensor index = column.broadcastTo(n, dim); Tensor rows = weight.value().gather(0, index)) {
            return rows.reshape(outDims);
        }
    }
}
