package dev.crossbar.backend.xla.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.lazy.Ops;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.UnaryKernel;

/** Records the unary element-wise ops. */
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
final class XlaUnaryKernel implements UnaryKernel {
    private final LazyEngine engine;

    XlaUnaryKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        engine.write(out, Ops.elementwise(op, out.dtype(), engine.read(in)));
    }
}
