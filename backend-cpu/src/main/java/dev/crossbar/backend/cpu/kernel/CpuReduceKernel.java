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
import dev.crossbar.spi.kernel.ReduceKernel;

/**
 * Sum, maximum and minimum over axes. Each output element is reduced by one thread in row-major order of the reduced
 * axes, so results never depend on the thread count; floats accumulate in double, integers in long (wrapping to the
 * type at the end), and NaN wins in max and min.
 */
@Kernel(op = Op.REDUCE_SUM, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.REDUCE_MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.REDUCE_MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class CpuReduceKernel implements ReduceKernel {
    @Override
    public void reduce(Op op, TensorView out, TensorView in, int[] axes) {
        if (op != Op.REDUCE_SUM && op != Op.REDUCE_MAX && op != Op.REDUCE_MIN) {
            throw KernelArguments.notServed(op, "reduce");
        }
        int[] reducedDims = new int[axes.length];
        long[] reducedStrides = new long[axes.length];
        long[] keptStrides = in.strides();
        long reducedCount = 1;
        for (int i = 0; i < axes.length; i++) {
            reducedDims[i] = in.shape().dim(axes[i]);
            reducedStrides[i] = in.stride(axes[i]);
            keptStrides[axes[i]] = 0;
            reducedCount *= reducedDims[i];
        }
        long count = reducedCount;
        boolean floating = in.dtype().isFloating();
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(in);
        TensorView first = new TensorView(in.buffer(), in.dtype(), out.shape(), keptStrides, in.offset());
        StridedCursor.forEach(count, c -> {
            StridedCursor inner = new StridedCursor(reducedDims, new long[] {c.position(1)}, reducedStrides);
            if (floating) {
                o.store(c.position(0), reduceFloating(op, x, inner, count));
            } else {
                o.storeLong(c.position(0), reduceIntegral(op, x, inner, count));
            }
        }, out, first);
    }

    private static double reduceFloating(Op op, HostTensor x, StridedCursor inner, long count) {
        double acc = op == Op.REDUCE_SUM ? 0 : x.load(inner.position(0));
        for (long i = 0; i < count; i++) {
            double v = x.load(inner.position(0));
            acc = switch (op) {
                case REDUCE_SUM -> acc + v;
                case REDUCE_MAX -> Math.max(acc, v);
                default -> Math.min(acc, v);
            };
            inner.advance();
        }
        return acc;
    }

    private static long reduceIntegral(Op op, HostTensor x, StridedCursor inner, long count) {
        long acc = op == Op.REDUCE_SUM ? 0 : x.loadLong(inner.position(0));
        for (long i = 0; i < count; i++) {
            long v = x.loadLong(inner.position(0));
            acc = switch (op) {
                case REDUCE_SUM -> acc + v;
                case REDUCE_MAX -> Math.max(acc, v);
                default -> Math.min(acc, v);
            };
            inner.advance();
        }
        return acc;
    }
}
