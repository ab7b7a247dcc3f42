package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.BinaryKernel;
import java.util.Locale;

/**
 * The binary element-wise ops: floats computed in double and rounded once to the type (NaN wins in max and min),
 * integers in long with wrap-around and division truncating toward zero.
 */
@Kernel(op = Op.ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.SUB, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.MUL, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.DIV, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.POW, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class CpuBinaryKernel implements BinaryKernel {
    @Override
    public void apply(Op op, TensorView out, TensorView a, TensorView b) {
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(a);
        HostTensor y = HostTensor.of(b);
        if (out.dtype().isFloating()) {
            StridedCursor.forEach(1, c -> o.store(c.position(0), evaluate(op, x.load(c.position(1)), y.load(c.position(2)))), out, a, b);
            return;
        }
        StridedCursor.forEach(1, c -> {
            long u = x.loadLong(c.position(1));
            long v = y.loadLong(c.position(2));
            if (op == Op.DIV && v == 0) {
                throw new ArithmeticException(String.format(Locale.ROOT,
                        "div: integer division by zero (%d / 0) at position %s of %s%s; make the divisors non-zero (for example with "
                                + "Tensor.where) or divide in a floating type", u, c.coordinatesText(), out.dtype().shortName(), out.shape()));
            }
            o.storeLong(c.position(0), evaluate(op, u, v));
        }, out, a, b);
    }

    private static double evaluate(Op op, double u, double v) {
        return switch (op) {
            case ADD -> u + v;
            case SUB -> u - v;
            case MUL -> u * v;
            case DIV -> u / v;
            case POW -> Math.pow(u, v);
            case MAX -> Math.max(u, v);
            case MIN -> Math.min(u, v);
            default -> throw KernelArguments.notServed(op, "binary");
        };
    }

    private static long evaluate(Op op, long u, long v) {
        return switch (op) {
            case ADD -> u + v;
            case SUB -> u - v;
            case MUL -> u * v;
            case DIV -> u / v;
            case MAX -> Math.max(u, v);
            case MIN -> Math.min(u, v);
            default -> throw KernelArguments.notServed(op, "integer binary");
        };
    }
}
