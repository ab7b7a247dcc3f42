package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.F8E4M3FN;
import static dev.crossbar.api.DType.F8E5M2;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.ConcatKernel;
import java.util.List;

/** Joins inputs along an axis by copying each into its window of the output. */
@Kernel(op = Op.CONCAT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
final class CpuConcatKernel implements ConcatKernel {
    private final CpuCopyKernel copy = new CpuCopyKernel();

    @Override
    public void concat(TensorView out, List<TensorView> inputs, int axis) {
        long start = 0;
        for (TensorView in : inputs) {
            copy.copy(new TensorView(out.buffer(), out.dtype(), in.shape(), out.strides(), out.offset() + start * out.stride(axis)), in);
            start += in.shape().dim(axis);
        }
    }
}
