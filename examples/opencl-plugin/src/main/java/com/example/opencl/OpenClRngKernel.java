package com.example.opencl;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.Philox;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.kernel.RngKernel;

/** Philox4x32-10 numbers, the same as every backend's for a seed and offset; one work item per counter block. */
@Kernel(op = Op.RNG_UNIFORM, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.RNG_NORMAL, dtypes = {F32, F64, F16, BF16})
final class OpenClRngKernel extends OpenClKernel implements RngKernel {
    OpenClRngKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void random(Op op, TensorView out, long seed, long offset, double a, double b) {
        GeneratedKernel k = kernel(op.opName() + " " + out.dtype(), () -> generator().random(op, out.dtype()));
        backend().launch(k, Philox.blocksFor(out.size()), out.size(), dims(out.shape()), out.buffer(), layout(out), seed, offset, a, b);
    }
}
