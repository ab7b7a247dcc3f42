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
import dev.crossbar.spi.kernel.SelectKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Picks each element's bits from one of two inputs by a BOOL condition; F32 runs that step by one in
 * {@link VectorFloatLoops}, other F32 runs (a broadcast operand such as a scalar 0) in a loop per run.
 */
@Kernel(op = Op.SELECT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class CpuSelectKernel implements SelectKernel {
    // Layouts must be constants for the JIT to fold the segment accessors' layout checks out of the loops.
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    @Override
    public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
        HostTensor o = HostTensor.of(out);
        HostTensor condition = HostTensor.of(cond);
        HostTensor x = HostTensor.of(a);
        HostTensor y = HostTensor.of(b);
        if (out.dtype() == DType.F32) {
            InnerRuns runs = InnerRuns.of(out, cond, a, b);
            long so = runs.runStride(0);
            long sc = runs.runStride(1);
            long sa = runs.runStride(2);
            long sb = runs.runStride(3);
            if (Simd.AVAILABLE && so == 1 && sc == 1 && sa == 1 && sb == 1) {
                runs.forEach(1, (p, n) -> VectorFloatLoops.select(o.memory(), p[0], condition.memory(), p[1], x.memory(), p[2], y.memory(), p[3], n));
            } else {
                MemorySegment mo = o.memory();
                MemorySegment mc = condition.memory();
                MemorySegment ma = x.memory();
                MemorySegment mb = y.memory();
                runs.forEach(1, (p, n) -> {
                    for (int i = 0; i < n; i++) {
                        mo.setAtIndex(FLOAT, p[0] + i * so,
                                mc.get(BYTE, p[1] + i * sc) != 0 ? ma.getAtIndex(FLOAT, p[2] + i * sa) : mb.getAtIndex(FLOAT, p[3] + i * sb));
                    }
                });
            }
            return;
        }
        StridedCursor.forEach(1, c -> o.storeBits(c.position(0),
                condition.loadLong(c.position(1)) != 0 ? x.loadBits(c.position(2)) : y.loadBits(c.position(3))), out, cond, a, b);
    }
}
