package dev.crossbar.backend.archfixture.kernels.overclaiming;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.UnaryKernel;

/** Serves neg/f32 only. */
@Kernel(op = Op.NEG, dtypes = DType.F32)
public class NegF32Kernel implements UnaryKernel {
    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        throw new UnsupportedOperationException("fixture");
    }
}
