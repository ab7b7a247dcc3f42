package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.UnaryKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The unary element-wise ops: floats computed in double and rounded once to the type, integers in long; contiguous F32
 * in {@link VectorFloatLoops} and contiguous BF16 in {@link Bf16Loops}, whose transcendental functions are within a few
 * F32 ulp.
 */
@Kernel(op = Op.NEG, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.ABS, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.EXP, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.LOG, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.SQRT, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.RSQRT, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.TANH, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.LOGISTIC, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.SIN, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.COS, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.ERF, dtypes = {F32, F64, F16, BF16})
final class CpuUnaryKernel implements UnaryKernel {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(in);
        if (in.dtype() == DType.F32 && in.isContiguous()) {
            MemorySegment source = x.memory();
            MemorySegment target = o.memory();
            long from = in.offset();
            long to = out.offset();
            boolean vector = Simd.AVAILABLE && VectorFloatLoops.servesUnary(op);
            KernelPool.forEachRange(in.size(), 8, (start, end) -> {
                if (vector) {
                    // Chunks hold at most an int's worth of elements for the vector loop.
                    for (long s = start; s < end; s += Integer.MAX_VALUE) {
                        VectorFloatLoops.unary(op, target, to + s, source, from + s, (int) Math.min(end - s, Integer.MAX_VALUE));
                    }
                    return;
                }
                for (long i = start; i < end; i++) {
                    target.setAtIndex(FLOAT, to + i, (float) evaluate(op, source.getAtIndex(FLOAT, from + i)));
                }
            });
            return;
        }
        if (in.dtype() == DType.BF16 && in.isContiguous() && out.isContiguous() && Simd.AVAILABLE && VectorFloatLoops.servesUnary(op)) {
            MemorySegment source = x.memory();
            MemorySegment target = o.memory();
            long from = in.offset();
            long to = out.offset();
            KernelPool.forEachRange(in.size(), 8, (start, end) -> {
                for (long s = start; s < end; s += Integer.MAX_VALUE) {
                    Bf16Loops.unary(op, target, to + s, source, from + s, (int) Math.min(end - s, Integer.MAX_VALUE));
                }
            });
            return;
        }
        if (in.dtype().isFloating()) {
            StridedCursor.forEach(1, c -> o.store(c.position(0), evaluate(op, x.load(c.position(1)))), out, in);
        } else {
            StridedCursor.forEach(1, c -> o.storeLong(c.position(0), evaluate(op, x.loadLong(c.position(1)))), out, in);
        }
    }

    static double evaluate(Op op, double v) {
        return switch (op) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case EXP -> Math.exp(v);
            case LOG -> Math.log(v);
            case SQRT -> Math.sqrt(v);
            case RSQRT -> 1 / Math.sqrt(v);
            case TANH -> Math.tanh(v);
            case LOGISTIC -> 1 / (1 + Math.exp(-v));
            case SIN -> Math.sin(v);
            case COS -> Math.cos(v);
            case ERF -> ErrorFunction.erf(v);
            default -> throw KernelArguments.notServed(op, "unary");
        };
    }

    private static long evaluate(Op op, long v) {
        return switch (op) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            default -> throw KernelArguments.notServed(op, "integer unary");
        };
    }
}
