package dev.crossbar.backend.archfixture.kernels.wronginterface;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.UnaryKernel;

/** Violates kernelClassesShouldImplementTheKernelInterfaceOfEachOpTheyDeclare: declares add but is a unary kernel. */
@Kernel(op = Op.NEG, dtypes = DType.F32)
@Kernel(op = Op.ADD, dtypes = DType.F32)
public class AddDeclaredOnUnaryKernel implements UnaryKernel {
    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        throw new UnsupportedOperationException("fixture");
    }
}
