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
import dev.crossbar.spi.kernel.GatherKernel;

/** Takes elements along an axis at I32 or I64 indices; an index out of range is read back and reported. */
@Kernel(op = Op.GATHER, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class OpenClGatherKernel extends OpenClKernel implements GatherKernel {
    OpenClGatherKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void gather(TensorView out, TensorView in, TensorView index, int axis) {
        GeneratedKernel k = kernel("gather " + out.dtype() + " " + index.dtype(), () -> generator().gather(out.dtype(), index.dtype()));
        int limit = in.shape().dim(axis);
        long fault = backend().launchChecked(k, index.size(), index.size(), dims(index.shape()), out.buffer(), layout(out), index.buffer(), layout(index),
                in.buffer(), layout(in).withoutAxis(axis), (long) limit, in.stride(axis));
        if (fault != 0) {
            throw indexOutOfRange(Op.GATHER.opName(), index, fault - 1, limit, axis);
        }
    }
}
