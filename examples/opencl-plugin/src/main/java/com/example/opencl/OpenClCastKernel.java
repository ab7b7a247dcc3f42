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
import dev.crossbar.spi.kernel.CastKernel;

/** Conversions between every pair of types; the cell is the source type. */
@Kernel(op = Op.CAST, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class OpenClCastKernel extends OpenClKernel implements CastKernel {
    OpenClCastKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void cast(TensorView out, TensorView in) {
        GeneratedKernel k = kernel("cast " + in.dtype() + " " + out.dtype(), () -> generator().cast(in.dtype(), out.dtype()));
        backend().launch(k, out.size(), out.size(), dims(out.shape()), out.buffer(), layout(out), in.buffer(), LayoutDescriptor.broadcast(in, out.shape()));
    }
}
