package dev.crossbar.backend.xla.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;

import dev.crossbar.api.Shape;
import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.lazy.LazyValue;
import dev.crossbar.backend.xla.lazy.Ops;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.ValueType;
import dev.crossbar.spi.kernel.MatmulKernel;

/** Records batched matrix products as dot_general with the batch dimensions broadcast to the output's. */
@Kernel(op = Op.DOT_GENERAL, dtypes = {F32, F64, F16, BF16, I32, I64})
final class XlaMatmulKernel implements MatmulKernel {
    private final LazyEngine engine;

    XlaMatmulKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void matmul(TensorView out, TensorView a, TensorView b) {
        int rank = out.shape().rank();
        int[] outDims = out.shape().dims();
        int k = a.shape().dim(a.shape().rank() - 1);
        engine.write(out, Ops.node(Op.DOT_GENERAL, new ValueType(out.dtype(), out.shape()), Attributes.NONE,
                batched(engine.read(a), outDims, outDims[rank - 2], k), batched(engine.read(b), outDims, k, outDims[rank - 1])));
    }

    private static LazyValue batched(LazyValue operand, int[] outDims, int rows, int columns) {
        int[] dims = outDims.clone();
        dims[dims.length - 2] = rows;
        dims[dims.length - 1] = columns;
        return Ops.broadcastTo(operand, Shape.of(dims));
    }
}
