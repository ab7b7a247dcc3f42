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

/** Takes elements along an axis at I32 or I64 indices, each checked against the axis length. */
@Kernel(op = Op.GATHER, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
final class CpuGatherKernel implements GatherKernel {
    @Override
    public void gather(TensorView out, TensorView in, TensorView index, int axis) {
        KernelArguments.requireIndexType(Op.GATHER.opName(), index);
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
}
