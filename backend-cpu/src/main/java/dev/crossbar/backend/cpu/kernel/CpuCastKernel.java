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

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.CastKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Converts between all types: from floats through double (to integers truncating, saturating, NaN to 0; to F16, BF16
 * and the FP8 types rounding once to nearest even), from integers and BOOL through long (to integers wrapping).
 */
@Kernel(op = Op.CAST, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
final class CpuCastKernel implements CastKernel {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    @Override
    public void cast(TensorView out, TensorView in) {
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(in);
        if (castContiguousHalf(out, in, o.memory(), x.memory())) {
            return;
        }
        if (in.dtype().isFloating()) {
            StridedCursor.forEach(1, c -> o.store(c.position(0), x.load(c.position(1))), out, in);
        } else {
            StridedCursor.forEach(1, c -> o.storeLong(c.position(0), x.loadLong(c.position(1))), out, in);
        }
    }

    /**
     * Contiguous F32 to and from BF16 and F16, the conversions of mixed-precision training: BF16 in
     * {@link VectorFloatLoops} when available, F16 with the JDK's conversions (both round a float to nearest even once,
     * as the generic path's rounding of the exactly widened value does).
     */
    private static boolean castContiguousHalf(TensorView out, TensorView in, MemorySegment o, MemorySegment x) {
        DType from = in.dtype();
        DType to = out.dtype();
        boolean served = (from == DType.F32 && (to == DType.BF16 || to == DType.F16)) || (to == DType.F32 && (from == DType.BF16 || from == DType.F16));
        if (!served || !in.isContiguous() || !out.isContiguous()) {
            return false;
        }
        long po = out.offset();
        long px = in.offset();
        boolean vector = Simd.AVAILABLE;
        KernelPool.forEachRange(in.size(), 1, (start, end) -> {
            int n = Math.toIntExact(end - start);
            if (from == DType.F32 && to == DType.BF16) {
                if (vector) {
                    VectorFloatLoops.floatToBf16(o, po + start, x, px + start, n);
                } else {
                    for (long i = start; i < end; i++) {
                        o.setAtIndex(SHORT, po + i, HalfFloats.floatToBf16(x.getAtIndex(FLOAT, px + i)));
                    }
                }
            } else if (from == DType.BF16) {
                if (vector) {
                    VectorFloatLoops.bf16ToFloat(o, po + start, x, px + start, n);
                } else {
                    for (long i = start; i < end; i++) {
                        o.setAtIndex(FLOAT, po + i, HalfFloats.bf16ToFloat(x.getAtIndex(SHORT, px + i)));
                    }
                }
            } else if (from == DType.F32) {
                for (long i = start; i < end; i++) {
                    o.setAtIndex(SHORT, po + i, Float.floatToFloat16(x.getAtIndex(FLOAT, px + i)));
                }
            } else {
                for (long i = start; i < end; i++) {
                    o.setAtIndex(FLOAT, po + i, Float.float16ToFloat(x.getAtIndex(SHORT, px + i)));
                }
            }
        });
        return true;
    }
}
