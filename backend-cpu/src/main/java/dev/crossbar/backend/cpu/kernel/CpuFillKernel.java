package dev.crossbar.backend.cpu.kernel;

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

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.FillKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Writes one value everywhere, converted as a cast from F64 converts it (integers truncate and saturate). */
@Kernel(op = Op.FULL, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
final class CpuFillKernel implements FillKernel {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    @Override
    public void fill(TensorView out, double value) {
        HostTensor o = HostTensor.of(out);
        if (out.isContiguous() && out.size() > 0) {
            // Convert once through the generic store, then replicate the element's bits over the region.
            o.store(out.offset(), value);
            long bits = o.loadBits(out.offset());
            int width = out.dtype().byteSize();
            MemorySegment region = o.memory().asSlice(out.offset() * width, out.size() * width);
            if (bits == 0 || width == 1) {
                region.fill((byte) bits);
                return;
            }
            long count = out.size();
            KernelPool.forEachRange(count, 1, (start, end) -> {
                for (long i = start; i < end; i++) {
                    switch (width) {
                        case 2 -> region.setAtIndex(SHORT, i, (short) bits);
                        case 4 -> region.setAtIndex(INT, i, (int) bits);
                        default -> region.setAtIndex(LONG, i, bits);
                    }
                }
            });
            return;
        }
        StridedCursor.forEach(1, c -> o.store(c.position(0), value), out);
    }
}
