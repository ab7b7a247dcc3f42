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
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.ValueType;
import dev.crossbar.spi.kernel.ReduceKernel;

/** Records sum, max and min over axes. */
@Kernel(op = Op.REDUCE_SUM, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.REDUCE_MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.REDUCE_MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class XlaReduceKernel implements ReduceKernel {
    private final LazyEngine engine;

    XlaReduceKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void reduce(Op op, TensorView out, TensorView in, int[] axes) {
        ValueType type = new ValueType(out.dtype(), out.shape());
        engine.write(out, Ops.node(op, type, Attributes.Axes.of(axes), engine.read(in)));
    }
}
