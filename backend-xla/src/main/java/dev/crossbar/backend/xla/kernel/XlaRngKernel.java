package dev.crossbar.backend.xla.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;

import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.lazy.Ops;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.ValueType;
import dev.crossbar.spi.kernel.RngKernel;

/** Records rng_uniform and rng_normal; seed, offset and the bounds are arguments, so new draws do not recompile. */
@Kernel(op = Op.RNG_UNIFORM, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.RNG_NORMAL, dtypes = {F32, F64, F16, BF16})
final class XlaRngKernel implements RngKernel {
    private final LazyEngine engine;

    XlaRngKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void random(Op op, TensorView out, long seed, long offset, double a, double b) {
        if (op != Op.RNG_UNIFORM && op != Op.RNG_NORMAL) {
            throw new IllegalArgumentException("the rng kernel serves rng_uniform and rng_normal, not " + op.opName());
        }
        engine.write(out, Ops.node(op, new ValueType(out.dtype(), out.shape()), Attributes.NONE, Ops.scalar(seed), Ops.scalar(offset), Ops.scalar(a), Ops.scalar(b)));
    }
}
