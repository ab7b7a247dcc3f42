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
import dev.crossbar.spi.kernel.CopyKernel;

/** Materializes reshape, permute, broadcast_to and slice views, and copies into strided views. */
@Kernel(op = Op.RESHAPE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.PERMUTE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.BROADCAST_TO, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.SLICE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.COPY, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class OpenClCopyKernel extends OpenClKernel implements CopyKernel {
    OpenClCopyKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void copy(TensorView out, TensorView in) {
        GeneratedKernel k = kernel("copy " + out.dtype(), () -> generator().copy(out.dtype()));
        backend().launch(k, out.size(), out.size(), dims(out.shape()), out.buffer(), layout(out), dims(in.shape()), in.buffer(), layout(in));
    }
}
