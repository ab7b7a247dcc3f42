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
import dev.crossbar.spi.kernel.BinaryKernel;
import java.util.Locale;

/** Records the binary element-wise ops; integer division checks its divisors on the host first. */
@Kernel(op = Op.ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.SUB, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.MUL, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.DIV, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.POW, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class XlaBinaryKernel implements BinaryKernel {
    private final LazyEngine engine;

    XlaBinaryKernel(LazyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void apply(Op op, TensorView out, TensorView a, TensorView b) {
        if (op == Op.DIV && out.dtype().isInteger()) {
            // XLA defines x / 0 for integers (all bits set); Crossbar rejects it as the cpu backend does.
            long[] divisors = engine.hostLongs(b);
            for (int i = 0; i < divisors.length; i++) {
                if (divisors[i] == 0) {
                    throw new ArithmeticException(String.format(Locale.ROOT,
                            "div: integer division by zero at element %d of the divisor %s; make the divisors non-zero (for example with max(d, 1))", i, b.shape()));
                }
            }
        }
        engine.write(out, Ops.elementwise(op, out.dtype(), engine.read(a), engine.read(b)));
    }
}
