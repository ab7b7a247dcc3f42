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
 * Picks each element's bits from one of two inputs by a BOOL condition, run by run: F32 runs that all step by one in
 * {@link VectorFloatLoops}, other runs of 4- and 2-byte types (broadcast masks, for example) in typed loops.
 */
@Kernel(op = Op.SELECT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class CpuSelectKernel implements SelectKernel {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    @Override
    public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
        HostTensor o = HostTensor.of(out);
        HostTensor condition = HostTensor.of(cond);
        HostTensor x = HostTensor.of(a);
        HostTensor y = HostTensor.of(b);
        long width = out.dtype().byteSize();
        if (cond.dtype() != DType.BOOL || (width != Integer.BYTES && width != Short.BYTES)) {
            StridedCursor.forEach(1, c -> o.storeBits(c.position(0),
                    condition.loadLong(c.position(1)) != 0 ? x.loadBits(c.position(2)) : y.loadBits(c.position(3))), out, cond, a, b);
            return;
        }
        MemorySegment to = o.memory();
        MemorySegment c = condition.memory();
        MemorySegment u = x.memory();
        MemorySegment v = y.memory();
        InnerRuns runs = InnerRuns.of(out, cond, a, b);
        long so = runs.runStride(0);
        long sc = runs.runStride(1);
        long sa = runs.runStride(2);
        long sb = runs.runStride(3);
        boolean vector = out.dtype() == DType.F32 && Simd.AVAILABLE && so == 1 && sc == 1 && sa == 1 && sb == 1;
        runs.forEach(1, (p, n) -> {
            if (vector) {
                VectorFloatLoops.select(to, p[0], c, p[1], u, p[2], v, p[3], n);
            } else if (width == Integer.BYTES) {
                for (int i = 0; i < n; i++) {
                    to.setAtIndex(INT, p[0] + i * so, c.get(BYTE, p[1] + i * sc) != 0 ? u.getAtIndex(INT, p[2] + i * sa) : v.getAtIndex(INT, p[3] + i * sb));
                }
            } else {
                for (int i = 0; i < n; i++) {
                    to.setAtIndex(SHORT, p[0] + i * so, c.get(BYTE, p[1] + i * sc) != 0 ? u.getAtIndex(SHORT, p[2] + i * sa) : v.getAtIndex(SHORT, p[3] + i * sb));
                }
            }
        });
    }
}
