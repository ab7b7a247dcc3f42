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
import dev.crossbar.spi.codegen.LayoutDescriptor;
import dev.crossbar.spi.kernel.UnaryKernel;

/** The unary element-wise ops, with OpenCL's built-in math functions for the transcendental ones. */
@Kernel(op = Op.NEG, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.ABS, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.EXP, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.LOG, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.SQRT, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.RSQRT, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.TANH, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.LOGISTIC, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.SIN, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.COS, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.ERF, dtypes = {F32, F64, F16, BF16})
final class OpenClUnaryKernel extends OpenClKernel implements UnaryKernel {
    OpenClUnaryKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        GeneratedKernel k = kernel(op.opName() + " " + out.dtype(), () -> generator().unary(op, out.dtype()));
        backend().launch(k, out.size(), out.size(), dims(out.shape()), out.buffer(), layout(out), in.buffer(), LayoutDescriptor.broadcast(in, out.shape()));
    }
}
