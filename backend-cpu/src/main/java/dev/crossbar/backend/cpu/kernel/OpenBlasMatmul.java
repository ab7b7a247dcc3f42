package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.backend.cpu.internal.ffi.NativeOpenBlas;
import dev.crossbar.spi.TensorView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The F32 batched product through OpenBLAS's {@code cblas_sgemm}, one call per product, each call threaded by
 * OpenBLAS itself. An operand with unit stride along either matrix axis is passed as it is (transposed when the unit
 * stride is along its rows); any other is first copied row-major into a buffer this thread reuses.
 */
final class OpenBlasMatmul {
    private static final ThreadLocal<MemorySegment> LEFT_COPY = ThreadLocal.withInitial(() -> MemorySegment.NULL);
    private static final ThreadLocal<MemorySegment> RIGHT_COPY = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    private OpenBlasMatmul() {
    }

    /** Computes {@code out = a b} for F32 with a row-major output and {@code k > 0}. */
    static void multiply(NativeOpenBlas blas, TensorView out, TensorView a, TensorView b) {
        int rank = out.shape().rank();
        MatmulShape shape = MatmulShape.of(out, a, b);
        int m = shape.m();
        int n = shape.n();
        int k = shape.k();
        long batches = shape.batches();
        Matrix left = Matrix.of(a.stride(rank - 2), a.stride(rank - 1), m, k);
        Matrix right = Matrix.of(b.stride(rank - 2), b.stride(rank - 1), k, n);
        MemorySegment outMemory = HostTensor.of(out).memory();
        MemorySegment aMemory = HostTensor.of(a).memory();
        MemorySegment bMemory = HostTensor.of(b).memory();
        StridedCursor batch = shape.cursor(a, b);
        for (long index = 0; index < batches; index++, batch.advance()) {
            MemorySegment x = left.start(aMemory, batch.position(0), a.stride(rank - 2), a.stride(rank - 1), m, k, LEFT_COPY);
            MemorySegment y = right.start(bMemory, batch.position(1), b.stride(rank - 2), b.stride(rank - 1), k, n, RIGHT_COPY);
            MemorySegment z = outMemory.asSlice((out.offset() + index * m * n) * Float.BYTES);
            blas.sgemm(left.transposed(), right.transposed(), m, n, k, x, left.leading(), y, right.leading(), z, n);
        }
    }

    /** How one operand is passed: as it is, transposed or not, with a leading dimension; or copied row-major first. */
    private record Matrix(boolean copied, boolean transposed, int leading) {
        static Matrix of(long rowStride, long columnStride, int rows, int columns) {
            // Along an axis of size 1 the stride is never used, so any value is fine there.
            if (columnStride == 1 || columns == 1) {
                long leading = rows == 1 ? Math.max(1, columns) : rowStride;
                if (leading >= Math.max(1, columns) && leading <= Integer.MAX_VALUE) {
                    return new Matrix(false, false, (int) leading);
                }
            }
            if (rowStride == 1 || rows == 1) {
                long leading = columns == 1 ? Math.max(1, rows) : columnStride;
                if (leading >= Math.max(1, rows) && leading <= Integer.MAX_VALUE) {
                    return new Matrix(false, true, (int) leading);
                }
            }
            return new Matrix(true, false, Math.max(1, columns));
        }

        /** Returns the operand's first element, after copying it row-major into this thread's buffer when needed. */
        MemorySegment start(MemorySegment memory, long position, long rowStride, long columnStride, int rows, int columns,
                            ThreadLocal<MemorySegment> copy) {
            if (!copied) {
                return memory.asSlice(position * Float.BYTES);
            }
            long bytes = (long) rows * columns * Float.BYTES;
            MemorySegment buffer = copy.get();
            if (buffer.byteSize() < bytes) {
                buffer = Arena.ofAuto().allocate(bytes, 64);
                copy.set(buffer);
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < columns; j++) {
                    float value = memory.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, position + i * rowStride + j * columnStride);
                    buffer.setAtIndex(ValueLayout.JAVA_FLOAT, (long) i * columns + j, value);
                }
            }
            return buffer;
        }
    }
}
