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
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.ValueType;
import dev.crossbar.spi.kernel.GatherKernel;

/** Records take-along-axis; the indices are checked on the host, since XLA clamps what is out of range. */
@Kernel(op = Op.GATHER, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class XlaGatherKernel implements GatherKernel {
    private final LazyEngine engine;

    XlaGatherKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void gather(TensorView out, TensorView in, TensorView index, int axis) {
        IndexChecks.checkBounds("gather", engine.hostLongs(index), in.shape().dim(axis), axis);
        engine.write(out, Ops.node(Op.GATHER, new ValueType(out.dtype(), out.shape()), Attributes.Axes.of(axis), engine.read(in), engine.read(index)));
    }
}
