package dev.crossbar.backend.xla.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.lazy.LazyValue;
import dev.crossbar.backend.xla.lazy.Ops;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.ValueType;
import dev.crossbar.spi.kernel.ScatterAddKernel;
import java.util.Arrays;

/** Records scatter_add into the output's current contents; the indices are checked on the host. */
@Kernel(op = Op.SCATTER_ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class XlaScatterAddKernel implements ScatterAddKernel {
    private final LazyEngine engine;

    XlaScatterAddKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void scatterAdd(TensorView out, TensorView index, TensorView src, int axis) {
        IndexChecks.checkBounds("scatter_add", engine.hostLongs(index), out.shape().dim(axis), axis);
        LazyValue values = engine.read(src);
        int[] dims = index.shape().dims();
        if (!src.shape().equals(index.shape())) {
            int[] ones = new int[dims.length];
            Arrays.fill(ones, 1);
            values = Ops.slice(values, new int[dims.length], dims, ones);
        }
        engine.write(out, Ops.node(Op.SCATTER_ADD, new ValueType(out.dtype(), out.shape()), Attributes.Axes.of(axis), engine.read(out), engine.read(index), values));
    }
}
