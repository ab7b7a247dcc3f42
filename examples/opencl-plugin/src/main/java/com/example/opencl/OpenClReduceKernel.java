package com.example.opencl;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.ReductionDescriptors;
import dev.crossbar.spi.kernel.ReduceKernel;

/** Sums, maxima and minima over axes, one work item per output element accumulating in double or 64-bit integers. */
@Kernel(op = Op.REDUCE_SUM, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.REDUCE_MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.REDUCE_MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class OpenClReduceKernel extends OpenClKernel implements ReduceKernel {
    OpenClReduceKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void reduce(Op op, TensorView out, TensorView in, int[] axes) {
        GeneratedKernel k = kernel(op.opName() + " " + in.dtype(), () -> generator().reduce(op, in.dtype()));
        ReductionDescriptors reduction = ReductionDescriptors.of(in, axes);
        backend().launch(k, out.size(), out.size(), dims(out.shape()), out.buffer(), layout(out), in.buffer(), reduction.kept(), reduction.reducedShape(),
                reduction.reduced(), reduction.reducedShape().elementCount());
    }
}
