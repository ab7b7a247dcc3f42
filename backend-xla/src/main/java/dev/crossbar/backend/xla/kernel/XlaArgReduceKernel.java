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
import dev.crossbar.spi.kernel.ArgReduceKernel;

/** Records argmax. */
@Kernel(op = Op.ARGMAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class XlaArgReduceKernel implements ArgReduceKernel {
    private final LazyEngine engine;

    XlaArgReduceKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void argmax(TensorView out, TensorView in, int axis) {
        engine.write(out, Ops.node(Op.ARGMAX, new ValueType(I64, out.shape()), Attributes.Axes.of(axis), engine.read(in)));
    }
}
