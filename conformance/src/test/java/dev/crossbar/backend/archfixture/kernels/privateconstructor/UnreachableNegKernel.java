package dev.crossbar.backend.archfixture.kernels.privateconstructor;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.UnaryKernel;

/** Violates kernelClassesShouldBeInstantiable: no backend can create an instance. */
@Kernel(op = Op.NEG, dtypes = DType.F32)
public final class UnreachableNegKernel implements UnaryKernel {
    private UnreachableNegKernel() {
    }

    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        throw new UnsupportedOperationException("fixture");
    }
}
