package dev.crossbar.backend.xla.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
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
import dev.crossbar.spi.kernel.CompareKernel;

/** Records the comparisons. */
@Kernel(op = Op.EQ, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.NE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.LT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.LE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class XlaCompareKernel implements CompareKernel {
    private final LazyEngine engine;

    XlaCompareKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void compare(Op op, TensorView out, TensorView a, TensorView b) {
        engine.write(out, Ops.elementwise(op, BOOL, engine.read(a), engine.read(b)));
    }
}
