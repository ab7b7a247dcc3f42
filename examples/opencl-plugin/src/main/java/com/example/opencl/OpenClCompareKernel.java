package com.example.opencl;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
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
import dev.crossbar.spi.kernel.CompareKernel;

/** The comparisons, giving BOOL. */
@Kernel(op = Op.EQ, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.NE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.LT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.LE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class OpenClCompareKernel extends OpenClKernel implements CompareKernel {
    OpenClCompareKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void compare(Op op, TensorView out, TensorView a, TensorView b) {
        GeneratedKernel k = kernel(op.opName() + " " + a.dtype(), () -> generator().compare(op, a.dtype()));
        backend().launch(k, out.size(), out.size(), dims(out.shape()), out.buffer(), layout(out), a.buffer(), LayoutDescriptor.broadcast(a, out.shape()),
                b.buffer(), LayoutDescriptor.broadcast(b, out.shape()));
    }
}
