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
import dev.crossbar.spi.kernel.ScatterAddKernel;

/**
 * Adds values into the output at I32 or I64 indices along an axis, on one thread in row-major order of the index so
 * that colliding indices always sum in the same order.
 */
@Kernel(op = Op.SCATTER_ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class CpuScatterAddKernel implements ScatterAddKernel {
    @Override
    public void scatterAdd(TensorView out, TensorView index, TensorView src, int axis) {
        KernelArguments.requireIndexType(Op.SCATTER_ADD.opName(), index);
        if (out.dtype().isFloating() && CpuGatherKernel.takesRows(src, out, index, axis)) {
            addRows(out, index, src);
            return;
        }
        int limit = out.shape().dim(axis);
        long axisStride = out.stride(axis);
        boolean floating = out.dtype().isFloating();
        HostTensor o = HostTensor.of(out);
        HostTensor indices = HostTensor.of(index);
        HostTensor values = HostTensor.of(src);
        TensorView source = new TensorView(src.buffer(), src.dtype(), index.shape(), src.strides(), src.offset());
        TensorView target = new TensorView(out.buffer(), out.dtype(), index.shape(), StridedCursor.withStride(out.strides(), axis, 0), out.offset());
        StridedCursor c = StridedCursor.over(index, source, target);
        for (long i = 0; i < index.size(); i++, c.advance()) {
            long at = KernelArguments.checkedIndex(Op.SCATTER_ADD.opName(), indices.loadLong(c.position(0)), limit, c, axis);
            long position = c.position(2) + at * axisStride;
            if (floating) {
                o.store(position, o.load(position) + values.load(c.position(1)));
            } else {
                o.storeLong(position, o.loadLong(position) + values.loadLong(c.position(1)));
            }
        }
    }

    /**
     * The gradient of an embedding lookup ({@link CpuGatherKernel#takesRows}): each floating source row added to the
     * output row its index names, in source order on one thread, as the element loop adds them (F32 with the vector
     * loops, the other types element by element in double, rounded once).
     */
    private static void addRows(TensorView out, TensorView index, TensorView src) {
        HostTensor indices = HostTensor.of(index);
        HostTensor o = HostTensor.of(out);
        HostTensor values = HostTensor.of(src);
        boolean vector = out.dtype() == DType.F32 && Simd.AVAILABLE;
        int limit = out.shape().dim(0);
        int columns = index.shape().dim(1);
        for (long row = 0; row < index.shape().dim(0); row++) {
            long i = KernelArguments.checkedRowIndex(Op.SCATTER_ADD.opName(), indices.loadLong(index.offset() + row * index.stride(0)), limit, row);
            long target = out.offset() + i * out.stride(0);
            long source = src.offset() + row * src.stride(0);
            if (vector) {
                VectorFloatLoops.binary(Op.ADD, o.memory(), target, o.memory(), target, 1, values.memory(), source, 1, columns);
            } else {
                for (int j = 0; j < columns; j++) {
                    o.store(target + j, o.load(target + j) + values.load(source + j));
                }
            }
        }
    }
}
