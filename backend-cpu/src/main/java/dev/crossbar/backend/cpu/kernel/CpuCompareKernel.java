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
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The comparisons into BOOL: floats as IEEE 754 compares them (NaN is unequal to everything), integers exactly; F32
 * runs that step by one in {@link VectorFloatLoops}, other F32 runs (a broadcast operand such as the 0 of
 * {@code maximum(x, 0)}) in a loop per run.
 */
@Kernel(op = Op.EQ, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.NE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.LT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.LE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class CpuCompareKernel implements CompareKernel {
    // Layouts must be constants for the JIT to fold the segment accessors' layout checks out of the loops.
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    @Override
    public void compare(Op op, TensorView out, TensorView a, TensorView b) {
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(a);
        HostTensor y = HostTensor.of(b);
        if (a.dtype() == DType.F32) {
            InnerRuns runs = InnerRuns.of(out, a, b);
            long so = runs.runStride(0);
            long sa = runs.runStride(1);
            long sb = runs.runStride(2);
            if (Simd.AVAILABLE && so == 1 && sa == 1 && sb == 1) {
                runs.forEach(1, (p, n) -> VectorFloatLoops.compare(op, o.memory(), p[0], x.memory(), p[1], y.memory(), p[2], n));
            } else {
                runs.forEach(1, (p, n) -> compareRun(op, o.memory(), p[0], so, x.memory(), p[1], sa, y.memory(), p[2], sb, n));
            }
            return;
        }
        if (a.dtype().isFloating()) {
            StridedCursor.forEach(1, c -> o.storeLong(c.position(0), test(op, x.load(c.position(1)), y.load(c.position(2))) ? 1 : 0), out, a, b);
        } else {
            StridedCursor.forEach(1, c -> o.storeLong(c.position(0), test(op, x.loadLong(c.position(1)), y.loadLong(c.position(2))) ? 1 : 0), out, a, b);
        }
    }

    private static void compareRun(Op op, MemorySegment o, long po, long so, MemorySegment x, long px, long sx, MemorySegment y, long py, long sy, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++) o.set(BYTE, po + i * so, x.getAtIndex(FLOAT, px + i * sx) == y.getAtIndex(FLOAT, py + i * sy) ? (byte) 1 : 0); }
            case NE -> { for (int i = 0; i < n; i++) o.set(BYTE, po + i * so, x.getAtIndex(FLOAT, px + i * sx) != y.getAtIndex(FLOAT, py + i * sy) ? (byte) 1 : 0); }
            case LT -> { for (int i = 0; i < n; i++) o.set(BYTE, po + i * so, x.getAtIndex(FLOAT, px + i * sx) < y.getAtIndex(FLOAT, py + i * sy) ? (byte) 1 : 0); }
            case LE -> { for (int i = 0; i < n; i++) o.set(BYTE, po + i * so, x.getAtIndex(FLOAT, px + i * sx) <= y.getAtIndex(FLOAT, py + i * sy) ? (byte) 1 : 0); }
            case GT -> { for (int i = 0; i < n; i++) o.set(BYTE, po + i * so, x.getAtIndex(FLOAT, px + i * sx) > y.getAtIndex(FLOAT, py + i * sy) ? (byte) 1 : 0); }
            case GE -> { for (int i = 0; i < n; i++) o.set(BYTE, po + i * so, x.getAtIndex(FLOAT, px + i * sx) >= y.getAtIndex(FLOAT, py + i * sy) ? (byte) 1 : 0); }
            default -> throw KernelArguments.notServed(op, "compare");
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
