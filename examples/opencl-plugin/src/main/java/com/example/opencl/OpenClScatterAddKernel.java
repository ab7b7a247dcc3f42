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
import dev.crossbar.spi.kernel.ScatterAddKernel;

/**
 * Adds values along an axis at I32 or I64 indices with atomics (compare-and-swap loops for floats, OpenCL 1.2 having
 * integer atomics only), so colliding float additions happen in an unspecified order.
 */
@Kernel(op = Op.SCATTER_ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class OpenClScatterAddKernel extends OpenClKernel implements ScatterAddKernel {
    OpenClScatterAddKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void scatterAdd(TensorView out, TensorView index, TensorView src, int axis) {
        GeneratedKernel k = kernel("scatter_add " + out.dtype() + " " + index.dtype(), () -> generator().scatterAdd(out.dtype(), index.dtype()));
        int limit = out.shape().dim(axis);
        long fault = backend().launchChecked(k, index.size(), index.size(), dims(index.shape()), out.buffer(), layout(out).withoutAxis(axis), index.buffer(),
                layout(index), src.buffer(), layout(src), (long) limit, out.stride(axis));
        if (fault != 0) {
            throw indexOutOfRange(Op.SCATTER_ADD.opName(), index, fault - 1, limit, axis);
        }
    }
}
