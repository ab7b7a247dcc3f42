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
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.ValueType;
import dev.crossbar.spi.kernel.PadKernel;
import java.util.Arrays;

/** Records pad; the padding value is an argument of the program. */
@Kernel(op = Op.PAD, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
final class XlaPadKernel implements PadKernel {
    private final LazyEngine engine;

    XlaPadKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void pad(TensorView out, TensorView in, int[] low, int[] high, double value) {
        Attributes padding = new Attributes.Padding(Arrays.stream(low).boxed().toList(), Arrays.stream(high).boxed().toList());
        engine.write(out, Ops.node(Op.PAD, new ValueType(out.dtype(), out.shape()), padding, engine.read(in), Ops.full(ValueType.scalar(out.dtype()), value)));
    }
}
