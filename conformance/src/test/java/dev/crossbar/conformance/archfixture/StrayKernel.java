package dev.crossbar.conformance.archfixture;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.UnaryKernel;

/** Violates kernelClassesShouldResideInABackend: a kernel outside every backend package. */
@Kernel(op = Op.NEG, dtypes = DType.F32)
public class StrayKernel implements UnaryKernel {
    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        throw new UnsupportedOperationException("fixture");
    }
}
