package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
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
import dev.crossbar.spi.kernel.CompareKernel;

/**
 * The comparisons into BOOL: floats as IEEE 754 compares them (NaN is unequal to everything), integers exactly; F32
 * runs that step by one in {@link VectorFloatLoops}.
 */
@Kernel(op = Op.EQ, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.NE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.LT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.LE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class CpuCompareKernel implements CompareKernel {
    @Override
    public void compare(Op op, TensorView out, TensorView a, TensorView b) {
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(a);
        HostTensor y = HostTensor.of(b);
        if (a.dtype() == DType.F32 && Simd.AVAILABLE) {
            InnerRuns runs = InnerRuns.of(out, a, b);
            if (runs.runStride(0) == 1 && runs.runStride(1) == 1 && runs.runStride(2) == 1) {
                runs.forEach(1, (p, n) -> VectorFloatLoops.compare(op, o.memory(), p[0], x.memory(), p[1], y.memory(), p[2], n));
                return;
            }
        }
        if (a.dtype().isFloating()) {
            StridedCursor.forEach(1, c -> o.storeLong(c.position(0), test(op, x.load(c.position(1)), y.load(c.position(2))) ? 1 : 0), out, a, b);
        } else {
            StridedCursor.forEach(1, c -> o.storeLong(c.position(0), test(op, x.loadLong(c.position(1)), y.loadLong(c.position(2))) ? 1 : 0), out, a, b);
        }
    }

    static boolean test(Op op, double u, double v) {
        return switch (op) {
            case EQ -> u == v;
            case NE -> u != v;
            case LT -> u < v;
            case LE -> u <= v;
            case GT -> u > v;
            case GE -> u >= v;
            default -> throw KernelArguments.notServed(op, "compare");
        };
    }

    private static boolean test(Op op, long u, long v) {
        return switch (op) {
            case EQ -> u == v;
            case NE -> u != v;
            case LT -> u < v;
            case LE -> u <= v;
            case GT -> u > v;
            case GE -> u >= v;
            default -> throw KernelArguments.notServed(op, "compare");
        };
    }
}
