package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.GatherKernel;
import java.lang.foreign.MemorySegment;

/** Takes elements along an axis at I32 or I64 indices, each checked against the axis length. */
@Kernel(op = Op.GATHER, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class CpuGatherKernel implements GatherKernel {
    @Override
    public void gather(TensorView out, TensorView in, TensorView index, int axis) {
        KernelArguments.requireIndexType(Op.GATHER.opName(), index);
        if (takesRows(out, in, index, axis)) {
            gatherRows(out, in, index);
            return;
        }
        int limit = in.shape().dim(axis);
        long axisStride = in.stride(axis);
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(in);
        HostTensor indices = HostTensor.of(index);
        TensorView source = new TensorView(in.buffer(), in.dtype(), index.shape(), StridedCursor.withStride(in.strides(), axis, 0), in.offset());
        StridedCursor.forEach(1, c -> {
            long i = KernelArguments.checkedIndex(Op.GATHER.opName(), indices.loadLong(c.position(1)), limit, c, axis);
            o.storeBits(c.position(0), x.loadBits(c.position(2) + i * axisStride));
        }, out, index, source);
    }

    /**
     * Whether this is an embedding lookup: rows of a row-major 2-D table taken along axis 0 by one index per output row
     * (broadcast along axis 1), into row-major rows.
     */
    static boolean takesRows(TensorView out, TensorView table, TensorView index, int axis) {
        return axis == 0 && index.shape().rank() == 2 && index.stride(1) == 0 && table.stride(1) == 1 && out.stride(1) == 1;
    }

    private static void gatherRows(TensorView out, TensorView in, TensorView index) {
        HostTensor indices = HostTensor.of(index);
        MemorySegment to = HostTensor.of(out).memory();
        MemorySegment from = HostTensor.of(in).memory();
        int limit = in.shape().dim(0);
        long width = in.dtype().byteSize();
        long columns = index.shape().dim(1);
        KernelPool.forEachRange(index.shape().dim(0), columns, (start, end) -> {
            for (long row = start; row < end; row++) {
                long i = KernelArguments.checkedRowIndex(Op.GATHER.opName(), indices.loadLong(index.offset() + row * index.stride(0)), limit, row);
                MemorySegment.copy(from, (in.offset() + i * in.stride(0)) * width, to, (out.offset() + row * out.stride(0)) * width, columns * width);
            }
        });
    }
}
