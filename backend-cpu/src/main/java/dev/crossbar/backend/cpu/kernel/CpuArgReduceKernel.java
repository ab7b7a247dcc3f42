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
import dev.crossbar.spi.kernel.ArgReduceKernel;

/** The index of the first maximum along an axis, where the first NaN counts as the maximum. */
@Kernel(op = Op.ARGMAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class CpuArgReduceKernel implements ArgReduceKernel {
    @Override
    public void argmax(TensorView out, TensorView in, int axis) {
        int length = in.shape().dim(axis);
        long stride = in.stride(axis);
        boolean floating = in.dtype().isFloating();
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(in);
        TensorView first = new TensorView(in.buffer(), in.dtype(), out.shape(), StridedCursor.withStride(in.strides(), axis, 0), in.offset());
        StridedCursor.forEach(length, c -> {
            long base = c.position(1);
            o.storeLong(c.position(0), floating ? argmaxFloating(x, base, stride, length) : argmaxIntegral(x, base, stride, length));
        }, out, first);
    }

    private static long argmaxFloating(HostTensor x, long base, long stride, int length) {
        long best = 0;
        double max = x.load(base);
        for (int j = 1; j < length && !Double.isNaN(max); j++) {
            double v = x.load(base + j * stride);
            if (v > max || Double.isNaN(v)) {
                max = v;
                best = j;
            }
        }
        return best;
    }

    private static long argmaxIntegral(HostTensor x, long base, long stride, int length) {
        long best = 0;
        long max = x.loadLong(base);
        for (int j = 1; j < length; j++) {
            long v = x.loadLong(base + j * stride);
            if (v > max) {
                max = v;
                best = j;
            }
        }
        return best;
    }
}
