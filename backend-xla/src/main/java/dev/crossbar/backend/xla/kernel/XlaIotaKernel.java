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
import dev.crossbar.spi.graph.ValueType;
import dev.crossbar.spi.kernel.IotaKernel;

/** Records iota. */
@Kernel(op = Op.IOTA, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class XlaIotaKernel implements IotaKernel {
    private final LazyEngine engine;

    XlaIotaKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void iota(TensorView out, int axis) {
        engine.write(out, Ops.iota(new ValueType(out.dtype(), out.shape()), axis));
    }
}
