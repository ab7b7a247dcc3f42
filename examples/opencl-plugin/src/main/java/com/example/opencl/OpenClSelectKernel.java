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
import dev.crossbar.spi.kernel.SelectKernel;

/** {@code cond ? a : b}, element-wise over broadcast operands. */
@Kernel(op = Op.SELECT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class OpenClSelectKernel extends OpenClKernel implements SelectKernel {
    OpenClSelectKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
        GeneratedKernel k = kernel("select " + out.dtype(), () -> generator().select(out.dtype()));
        backend().launch(k, out.size(), out.size(), dims(out.shape()), out.buffer(), layout(out), cond.buffer(), LayoutDescriptor.broadcast(cond, out.shape()),
                a.buffer(), LayoutDescriptor.broadcast(a, out.shape()), b.buffer(), LayoutDescriptor.broadcast(b, out.shape()));
    }
}
