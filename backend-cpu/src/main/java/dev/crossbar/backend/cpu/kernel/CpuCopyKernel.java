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

import dev.crossbar.api.Shape;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.CopyKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

/**
 * Copies elements unchanged (bits included) from one view to another in row-major order of each view's own shape;
 * serves copy and the materialization of reshape, permute, broadcast_to and slice.
 */
@Kernel(op = Op.COPY, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.RESHAPE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.PERMUTE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.BROADCAST_TO, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.SLICE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
final class CpuCopyKernel implements CopyKernel {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** Same-shaped views run by run: bulk copies where both step by one element, element loops elsewhere. */
    private static void copyInRuns(TensorView out, TensorView in, MemorySegment to, MemorySegment from) {
        InnerRuns runs = InnerRuns.of(out, in);
        long toStride = runs.runStride(0);
        long fromStride = runs.runStride(1);
        long width = out.dtype().byteSize();
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(in);
        runs.forEach(1, (starts, length) -> {
            long p = starts[0];
            long q = starts[1];
            if (toStride == 1 && fromStride == 1) {
                MemorySegment.copy(from, q * width, to, p * width, length * width);
            } else if (width == Float.BYTES) {
                // The 4- and 2-byte types (F32, I32; BF16, F16) by their bits, without a per-element type dispatch.
                for (int i = 0; i < length; i++) {
                    to.setAtIndex(INT, p + i * toStride, from.getAtIndex(INT, q + i * fromStride));
                }
            } else if (width == Short.BYTES) {
                for (int i = 0; i < length; i++) {
                    to.setAtIndex(SHORT, p + i * toStride, from.getAtIndex(SHORT, q + i * fromStride));
                }
            } else {
                for (int i = 0; i < length; i++) {
                    o.storeBits(p + i * toStride, x.loadBits(q + i * fromStride));
                }
            }
        });
    }

    /** A row-major view read as row-major elements of another shape of the same size. */
    private static TensorView inShape(TensorView rowMajor, Shape shape) {
        return new TensorView(rowMajor.buffer(), rowMajor.dtype(), shape, shape.contiguousStrides(), rowMajor.offset());
    }

    @Override
    public void copy(TensorView out, TensorView in) {
        if (out.size() != in.size() || out.dtype() != in.dtype()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "copy: %s and %s differ in element count or type; reshape or cast the source first", in, out));
        }
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(in);
        if (out.isContiguous() && in.isContiguous()) {
            long bytes = out.dtype().byteSize();
            MemorySegment.copy(x.memory(), in.offset() * bytes, o.memory(), out.offset() * bytes, out.size() * bytes);
        } else if (out.shape().equals(in.shape())) {
            copyInRuns(out, in, o.memory(), x.memory());
        } else if (out.isContiguous()) {
            // A reshaping copy (a permuted gradient flattened back): the row-major side takes the other's shape, so the
            // copy runs along the strided side's inner runs instead of element by element.
            copyInRuns(inShape(out, in.shape()), in, o.memory(), x.memory());
        } else if (in.isContiguous()) {
            copyInRuns(out, inShape(in, out.shape()), o.memory(), x.memory());
        } else {
            KernelPool.forEachRange(out.size(), 1, (start, end) -> {
                StridedCursor to = StridedCursor.over(out);
                StridedCursor from = StridedCursor.over(in);
                to.seek(start);
                from.seek(start);
                for (long i = start; i < end; i++) {
                    o.storeBits(to.position(0), x.loadBits(from.position(0)));
                    to.advance();
                    from.advance();
                }
            });
        }
    }
}
