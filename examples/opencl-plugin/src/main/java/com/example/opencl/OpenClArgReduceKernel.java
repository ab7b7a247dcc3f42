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
import dev.crossbar.spi.kernel.ArgReduceKernel;

/** The index of the first maximum along an axis, NaN counting as the maximum. */
@Kernel(op = Op.ARGMAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class OpenClArgReduceKernel extends OpenClKernel implements ArgReduceKernel {
    OpenClArgReduceKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void argmax(TensorView out, TensorView in, int axis) {
        GeneratedKernel k = kernel("argmax " + in.dtype(), () -> generator().argmax(in.dtype()));
        backend().launch(k, out.size(), out.size(), dims(out.shape()), out.buffer(), layout(out), in.buffer(), layout(in).withoutAxis(axis),
                (long) in.shape().dim(axis), in.stride(axis));
    }
}
