package dev.crossbar.backend.cpu.archfixture;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.BinaryKernel;

/** Violates everyOpOfTheCurrentOpSetShouldHaveACpuKernel: the only kernel in a cpu package, serving add/f32. */
@Kernel(op = Op.ADD, dtypes = DType.F32)
public class OnlyAddKernel implements BinaryKernel {
    @Override
    public void apply(Op op, TensorView out, TensorView a, TensorView b) {
        throw new UnsupportedOperationException("fixture");
    }
}
