package dev.crossbar.backend.archfixture.clean;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.UnaryKernel;

/** A kernel that follows every rule. */
@Kernel(op = Op.NEG, dtypes = {DType.F32, DType.F64})
public class CleanNegKernel implements UnaryKernel {
    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        throw new UnsupportedOperationException("fixture");
    }
}
