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
import dev.crossbar.spi.kernel.SelectKernel;

/** Records select. */
@Kernel(op = Op.SELECT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class XlaSelectKernel implements SelectKernel {
    private final LazyEngine engine;

    XlaSelectKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
        engine.write(out, Ops.elementwise(Op.SELECT, out.dtype(), engine.read(cond), engine.read(a), engine.read(b)));
    }
}
