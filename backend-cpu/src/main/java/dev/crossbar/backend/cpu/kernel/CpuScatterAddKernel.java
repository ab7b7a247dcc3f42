package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

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
}
