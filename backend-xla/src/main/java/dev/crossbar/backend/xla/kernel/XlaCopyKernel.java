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
import dev.crossbar.spi.kernel.CopyKernel;

/** Records copies and materialized views: the source view read with layout ops, reshaped to the destination. */
@Kernel(op = Op.COPY, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.RESHAPE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.PERMUTE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.BROADCAST_TO, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.SLICE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
final class XlaCopyKernel implements CopyKernel {
    private final LazyEngine engine;

    XlaCopyKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void copy(TensorView out, TensorView in) {
        if (out.size() != in.size() || out.dtype() != in.dtype()) {
            throw new IllegalArgumentException("copy needs equal element counts and types, got " + in + " into " + out);
        }
        engine.write(out, Ops.reshape(engine.read(in), out.shape()));
    }
}
