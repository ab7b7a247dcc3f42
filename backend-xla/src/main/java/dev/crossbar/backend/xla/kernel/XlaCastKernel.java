package dev.crossbar.backend.xla.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.F8E4M3FN;
import static dev.crossbar.api.DType.F8E5M2;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.lazy.Ops;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.CastKernel;

/** Records conversions (StableHLO convert: floats truncate toward zero into integers, anything non-zero is true). */
@Kernel(op = Op.CAST, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
final class XlaCastKernel implements CastKernel {
    private final LazyEngine engine;

    XlaCastKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void cast(TensorView out, TensorView in) {
        engine.write(out, Ops.cast(engine.read(in), out.dtype()));
    }
}
