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
import dev.crossbar.spi.kernel.BinaryKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
    // Layouts must be constants for the JIT to fold the segment accessors' layout checks out of the loops.
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    @Override
    public void apply(Op op, TensorView out, TensorView a, TensorView b) {
        if (out.dtype() == DType.F32 || out.dtype() == DType.F64) {
            applyInRuns(op, out, a, b);
            return;
        }
        if (out.dtype() == DType.BF16 && applyBf16InRuns(op, out, a, b)) {
            return;
        }
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

    /**
     * F32 and F64 one run at a time, each op in its own loop (F32 runs that step by 0 or 1 in {@link VectorFloatLoops});
     * float arithmetic rounds as the double evaluation rounded once does, because double carries more than twice
     * float's precision.
     */
    private static void applyInRuns(Op op, TensorView out, TensorView a, TensorView b) {
        MemorySegment o = HostTensor.of(out).memory();
        MemorySegment x = HostTensor.of(a).memory();
        MemorySegment y = HostTensor.of(b).memory();
        InnerRuns runs = InnerRuns.of(out, a, b);
        long so = runs.runStride(0);
        long sa = runs.runStride(1);
        long sb = runs.runStride(2);
        if (out.dtype() == DType.F32) {
            boolean vector = Simd.AVAILABLE && op != Op.POW && VectorFloatLoops.servesBinary(so, sa, sb);
            runs.forEach(1, (p, n) -> {
                if (vector) {
                    VectorFloatLoops.binary(op, o, p[0], x, p[1], sa, y, p[2], sb, n);
                    return;
                }
                switch (op) {
                    case ADD -> { for (int i = 0; i < n; i++) o.setAtIndex(FLOAT, p[0] + i * so, x.getAtIndex(FLOAT, p[1] + i * sa) + y.getAtIndex(FLOAT, p[2] + i * sb)); }
                    case SUB -> { for (int i = 0; i < n; i++) o.setAtIndex(FLOAT, p[0] + i * so, x.getAtIndex(FLOAT, p[1] + i * sa) - y.getAtIndex(FLOAT, p[2] + i * sb)); }
                    case MUL -> { for (int i = 0; i < n; i++) o.setAtIndex(FLOAT, p[0] + i * so, x.getAtIndex(FLOAT, p[1] + i * sa) * y.getAtIndex(FLOAT, p[2] + i * sb)); }
                    case DIV -> { for (int i = 0; i < n; i++) o.setAtIndex(FLOAT, p[0] + i * so, x.getAtIndex(FLOAT, p[1] + i * sa) / y.getAtIndex(FLOAT, p[2] + i * sb)); }
                    case MAX -> { for (int i = 0; i < n; i++) o.setAtIndex(FLOAT, p[0] + i * so, Math.max(x.getAtIndex(FLOAT, p[1] + i * sa), y.getAtIndex(FLOAT, p[2] + i * sb))); }
                    case MIN -> { for (int i = 0; i < n; i++) o.setAtIndex(FLOAT, p[0] + i * so, Math.min(x.getAtIndex(FLOAT, p[1] + i * sa), y.getAtIndex(FLOAT, p[2] + i * sb))); }
                    default -> { for (int i = 0; i < n; i++) o.setAtIndex(FLOAT, p[0] + i * so, (float) evaluate(op, x.getAtIndex(FLOAT, p[1] + i * sa), y.getAtIndex(FLOAT, p[2] + i * sb))); }
                }
            });
        } else {
            runs.forEach(1, (p, n) -> {
                switch (op) {
                    case ADD -> { for (int i = 0; i < n; i++) o.setAtIndex(DOUBLE, p[0] + i * so, x.getAtIndex(DOUBLE, p[1] + i * sa) + y.getAtIndex(DOUBLE, p[2] + i * sb)); }
                    case SUB -> { for (int i = 0; i < n; i++) o.setAtIndex(DOUBLE, p[0] + i * so, x.getAtIndex(DOUBLE, p[1] + i * sa) - y.getAtIndex(DOUBLE, p[2] + i * sb)); }
                    case MUL -> { for (int i = 0; i < n; i++) o.setAtIndex(DOUBLE, p[0] + i * so, x.getAtIndex(DOUBLE, p[1] + i * sa) * y.getAtIndex(DOUBLE, p[2] + i * sb)); }
                    case DIV -> { for (int i = 0; i < n; i++) o.setAtIndex(DOUBLE, p[0] + i * so, x.getAtIndex(DOUBLE, p[1] + i * sa) / y.getAtIndex(DOUBLE, p[2] + i * sb)); }
                    default -> { for (int i = 0; i < n; i++) o.setAtIndex(DOUBLE, p[0] + i * so, evaluate(op, x.getAtIndex(DOUBLE, p[1] + i * sa), y.getAtIndex(DOUBLE, p[2] + i * sb))); }
                }
            });
        }
    }

    /**
     * BF16 runs that step by 0 or 1 with {@link Bf16Loops}, which round as the generic path does; returns false, having
     * done nothing, for other strides or without the vector loops.
     */
    private static boolean applyBf16InRuns(Op op, TensorView out, TensorView a, TensorView b) {
        if (!Simd.AVAILABLE || op == Op.POW) {
            return false;
        }
        InnerRuns runs = InnerRuns.of(out, a, b);
        long sa = runs.runStride(1);
        long sb = runs.runStride(2);
        if (!VectorFloatLoops.servesBinary(runs.runStride(0), sa, sb)) {
            return false;
        }
        MemorySegment o = HostTensor.of(out).memory();
        MemorySegment x = HostTensor.of(a).memory();
        MemorySegment y = HostTensor.of(b).memory();
        runs.forEach(1, (p, n) -> Bf16Loops.binary(op, o, p[0], x, p[1], sa, y, p[2], sb, n));
        return true;
    }

    static double evaluate(Op op, double u, double v) {
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
