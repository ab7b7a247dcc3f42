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
import dev.crossbar.spi.kernel.IotaKernel;

/** Each element's coordinate along an axis. */
@Kernel(op = Op.IOTA, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class OpenClIotaKernel extends OpenClKernel implements IotaKernel {
    OpenClIotaKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void iota(TensorView out, int axis) {
        GeneratedKernel k = kernel("iota " + out.dtype(), () -> generator().iota(out.dtype()));
        backend().launch(k, out.size(), out.size(), dims(out.shape()), out.buffer(), layout(out), (long) axis);
    }
}
