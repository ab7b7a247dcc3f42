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
import dev.crossbar.spi.kernel.FillKernel;

/** Fills with one value, converted from F64 as a cast does. */
@Kernel(op = Op.FULL, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class OpenClFillKernel extends OpenClKernel implements FillKernel {
    OpenClFillKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void fill(TensorView out, double value) {
        GeneratedKernel k = kernel("fill " + out.dtype(), () -> generator().fill(out.dtype()));
        backend().launch(k, out.size(), out.size(), dims(out.shape()), out.buffer(), layout(out), value);
    }
}
